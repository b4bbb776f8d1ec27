import { Credits } from "@/lib/ledger/credits";

/** The calculator's arithmetic (pure, safe for the browser): see calculator.ts for the prefill. */

export const CALC_CATEGORIES = ["llm", "web_search", "speech_to_text", "code_artifact"] as const;
export type CalcCategory = (typeof CALC_CATEGORIES)[number];

/** Whole percentages summing to exactly 100 (largest remainder). */
export function toPercentages(counts: Record<CalcCategory, number>): Record<CalcCategory, number> {
  const total = CALC_CATEGORIES.reduce((s, c) => s + counts[c], 0);
  const out = Object.fromEntries(CALC_CATEGORIES.map((c) => [c, 0])) as Record<CalcCategory, number>;
  if (total <= 0) return out;
  const raw = CALC_CATEGORIES.map((c) => ({ c, v: (counts[c] * 100) / total }));
  let left = 100;
  for (const r of raw) {
    out[r.c] = Math.floor(r.v);
    left -= out[r.c];
  }
  raw.sort((a, b) => b.v - Math.floor(b.v) - (a.v - Math.floor(a.v)));
  for (let i = 0; i < left; i++) out[raw[i % raw.length].c] += 1;
  return out;
}

export interface EstimateInput {
  conversationsPerMonth: number;
  answersPerConversation: number;
  /** Percent per category; normalized by its sum. */
  mix: Record<CalcCategory, number>;
  /** Credits per event per category, decimal strings. */
  costPerEvent: Record<CalcCategory, string>;
  /** Available credits now, decimal string. */
  available: string;
  /** Safety margin on top of the monthly need, percent (default 20). */
  bufferPercent?: number;
}

export interface Estimate {
  answersPerMonth: number;
  /** Credits per answer for this mix (decimal string). */
  perAnswer: string;
  perMonth: string;
  perDay: string;
  /** What to buy now so a month (plus buffer) is covered, rounded up to a whole 10 credits; "0" when covered. */
  suggestedTopUp: string;
}

/**
 * Credits per month = conversations × answers per conversation × Σ(mix share × credits per event).
 * Exact in µc (bigint); the mix is applied in basis points of its sum.
 */
export function estimateCredits(input: EstimateInput): Estimate {
  const conv = Math.max(0, Math.floor(input.conversationsPerMonth || 0));
  const apc = Math.max(0, Math.floor(input.answersPerConversation || 0));
  const answers = BigInt(conv) * BigInt(apc);
  const mixSum = CALC_CATEGORIES.reduce((s, c) => s + Math.max(0, Math.round((input.mix[c] || 0) * 100)), 0);
  let perAnswerNum = 0n; // µc × mixSum
  for (const c of CALC_CATEGORIES) {
    const w = BigInt(Math.max(0, Math.round((input.mix[c] || 0) * 100)));
    perAnswerNum += w * Credits.parse(input.costPerEvent[c] || "0", `costPerEvent.${c}`);
  }
  const denom = BigInt(Math.max(1, mixSum));
  const perMonth = mixSum === 0 ? 0n : (answers * perAnswerNum + denom / 2n) / denom;
  const perAnswer = mixSum === 0 ? 0n : (perAnswerNum + denom / 2n) / denom;
  const buffer = BigInt(Math.max(0, Math.round(input.bufferPercent ?? 20)));
  const need = (perMonth * (100n + buffer) + 99n) / 100n;
  const available = Credits.parse(input.available || "0", "available", { allowNegative: true });
  const gap = need - available;
  const ten = 10n * Credits.MICRO;
  const topUp = gap > 0n ? ((gap + ten - 1n) / ten) * ten : 0n;
  return {
    answersPerMonth: Number(answers),
    perAnswer: Credits.format(perAnswer),
    perMonth: Credits.format(perMonth),
    perDay: Credits.format((perMonth + 15n) / 30n),
    suggestedTopUp: Credits.format(topUp),
  };
}
