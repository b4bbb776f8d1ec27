import { z } from "zod";
import { and, desc, lte } from "drizzle-orm";
import { isTransaction, type DbOrTx } from "@/db/client";
import { rateCards } from "@/db/schema";
import { Credits, MAX_CREDITS, MAX_MICRO } from "@/lib/ledger/credits";
import { InvalidInputError } from "@/lib/errors";
import { sharedCache } from "./ttl-cache";

/**
 * The rate card: credits per unit for each usage category (SPEC §2, issue 4). Prices are stored as
 * decimal credit strings (exact, at most 6 places) and turned into micro-credits only for arithmetic.
 */
export const MODEL_TIERS = ["small", "standard", "large"] as const;
export type ModelTier = (typeof MODEL_TIERS)[number];

const price = z.string().regex(/^\d+(\.\d{1,6})?$/, "must be a decimal number of credits with at most 6 decimal places");

export const ratePricesSchema = z.object({
  llm: z.object({
    small: z.object({ input_per_1k_tokens: price, output_per_1k_tokens: price }),
    standard: z.object({ input_per_1k_tokens: price, output_per_1k_tokens: price }),
    large: z.object({ input_per_1k_tokens: price, output_per_1k_tokens: price }),
  }),
  web_search: z.object({ per_search: price }),
  speech_to_text: z.object({ per_minute: price }),
  code_artifact: z.object({ per_artifact: price }),
  training: z.object({ per_1k_tokens: price }),
});
export type RatePrices = z.infer<typeof ratePricesSchema>;

/** Seeded prices: roughly what the underlying providers charge, with 1 credit ≈ 1 USD of AI cost. */
export const DEFAULT_PRICES: RatePrices = {
  llm: {
    small: { input_per_1k_tokens: "0.00015", output_per_1k_tokens: "0.0006" },
    standard: { input_per_1k_tokens: "0.0025", output_per_1k_tokens: "0.01" },
    large: { input_per_1k_tokens: "0.015", output_per_1k_tokens: "0.06" },
  },
  web_search: { per_search: "0.01" },
  speech_to_text: { per_minute: "0.006" },
  code_artifact: { per_artifact: "0.02" },
  training: { per_1k_tokens: "0.0001" },
};

const count = z.number().int("must be a whole number").min(0, "must not be negative").max(1_000_000_000, "is too large");

/**
 * Each category's quantities, as the runtime reports them (also the metering API's wire format).
 * Strict: token counts default to 0, so a misspelled one (`prompt_tokens`) would otherwise price the
 * answer at nothing and release its hold.
 */
export const USAGE_LINE_SHAPES = {
  llm: z.object({ category: z.literal("llm"), model_tier: z.enum(MODEL_TIERS).default("standard"), input_tokens: count.default(0), output_tokens: count.default(0) }).strict(),
  web_search: z.object({ category: z.literal("web_search"), searches: count.default(1) }).strict(),
  speech_to_text: z.object({ category: z.literal("speech_to_text"), audio_seconds: count }).strict(),
  code_artifact: z.object({ category: z.literal("code_artifact"), artifacts: count.default(1) }).strict(),
  training: z.object({ category: z.literal("training"), training_tokens: count }).strict(),
};

export const CATEGORY_ERROR = "must be one of llm, web_search, speech_to_text, code_artifact, training";

/** One usage line; quantities are per category. */
export const usageLineSchema = z.discriminatedUnion(
  "category",
  [USAGE_LINE_SHAPES.llm, USAGE_LINE_SHAPES.web_search, USAGE_LINE_SHAPES.speech_to_text, USAGE_LINE_SHAPES.code_artifact, USAGE_LINE_SHAPES.training],
  { error: CATEGORY_ERROR },
);
export type UsageLine = z.infer<typeof usageLineSchema>;

/** Ceil division: a partial micro-credit is charged as a whole one, never rounded away. */
function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

const µ = (value: string) => Credits.parse(value, "price");

/**
 * The exact cost of one usage line in micro-credits. Quantities are capped by the schema, but a
 * cost above the per-request limit (absurd prices × huge counts) is refused rather than overflowing.
 */
export function priceLine(prices: RatePrices, line: UsageLine): bigint {
  const cost = uncheckedPrice(prices, line);
  if (cost > MAX_MICRO) throw new InvalidInputError(line.category, `this ${line.category} usage costs more than ${MAX_CREDITS.toLocaleString("en-US")} credits`);
  return cost;
}

function uncheckedPrice(prices: RatePrices, line: UsageLine): bigint {
  switch (line.category) {
    case "llm": {
      const tier = prices.llm[line.model_tier];
      return ceilDiv(BigInt(line.input_tokens) * µ(tier.input_per_1k_tokens) + BigInt(line.output_tokens) * µ(tier.output_per_1k_tokens), 1000n);
    }
    case "web_search":
      return BigInt(line.searches) * µ(prices.web_search.per_search);
    case "speech_to_text":
      // Billed by the second at the per-minute price.
      return ceilDiv(BigInt(line.audio_seconds) * µ(prices.speech_to_text.per_minute), 60n);
    case "code_artifact":
      return BigInt(line.artifacts) * µ(prices.code_artifact.per_artifact);
    case "training":
      return ceilDiv(BigInt(line.training_tokens) * µ(prices.training.per_1k_tokens), 1000n);
  }
}

export function priceUsage(prices: RatePrices, lines: UsageLine[]): bigint {
  return lines.reduce((sum, line) => sum + priceLine(prices, line), 0n);
}

/** Quantities as stored on the usage event (everything but the category). */
export function quantitiesOf(line: UsageLine): Record<string, unknown> {
  const { category: _category, ...rest } = line;
  void _category;
  return rest;
}

export interface RateCard {
  version: number;
  effectiveFrom: Date;
  prices: RatePrices;
  note: string | null;
  createdAt: Date;
}

function toRateCard(row: typeof rateCards.$inferSelect): RateCard {
  return { version: row.version, effectiveFrom: row.effectiveFrom, prices: ratePricesSchema.parse(row.prices), note: row.note, createdAt: row.createdAt };
}

// Rate cards change rarely and are read on every charge: cache them briefly, process-wide.
const rateCardCache = sharedCache<RateCard[]>("rate-cards", 5_000, 1);

export function clearRateCardCache(): void {
  rateCardCache.clear();
}

export async function listRateCards(db: DbOrTx): Promise<RateCard[]> {
  const rows = await db.select().from(rateCards).orderBy(desc(rateCards.effectiveFrom));
  return rows.map(toRateCard);
}

/**
 * The version in force at `at` (the newest whose effective_from ≤ at). A time before the first
 * version has no price: that is the caller's `occurred_at` at fault (400), not a missing resource.
 */
export async function rateCardAt(db: DbOrTx, at: Date): Promise<RateCard> {
  const cards = await rateCardCache.getOrLoad("all", () => listRateCards(db), { shareLoad: !isTransaction(db) });
  const card = cards.find((c) => c.effectiveFrom.getTime() <= at.getTime());
  if (card) return card;
  // The cache may be a few seconds stale: ask the database before refusing.
  const [row] = await db.select().from(rateCards).where(and(lte(rateCards.effectiveFrom, at))).orderBy(desc(rateCards.effectiveFrom)).limit(1);
  if (row) return toRateCard(row);
  const [first] = await db.select({ effectiveFrom: rateCards.effectiveFrom }).from(rateCards).orderBy(rateCards.effectiveFrom).limit(1);
  if (!first) throw new Error("No rate card has been published: run the seed or publish one on the admin rate card page");
  throw new InvalidInputError("occurred_at", `occurred_at ${at.toISOString()} is before the first rate card (in force from ${first.effectiveFrom.toISOString()}): it has no price`);
}

/** A new version; never an edit in place. `effectiveFrom` defaults to now and may not be in the past. */
export async function publishRateCard(
  db: DbOrTx,
  input: { prices: unknown; effectiveFrom?: Date; note?: string | null; createdByUserId?: string | null },
  now = new Date(),
): Promise<RateCard> {
  const parsed = ratePricesSchema.safeParse(input.prices);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError(`prices.${issue.path.join(".")}`, `prices.${issue.path.join(".")} ${issue.message}`);
  }
  const effectiveFrom = input.effectiveFrom ?? now;
  if (effectiveFrom.getTime() < now.getTime() - 60_000) {
    throw new InvalidInputError("effective_from", "effective_from may not be in the past: past events keep the prices they were charged with");
  }
  const [row] = await db
    .insert(rateCards)
    .values({ effectiveFrom, prices: parsed.data, note: input.note ?? null, createdByUserId: input.createdByUserId ?? null })
    .returning();
  clearRateCardCache();
  return toRateCard(row);
}

export type RateCardStatus = "current" | "scheduled" | "past";

/** Each version with whether it is in force now, scheduled, or superseded (newest first). */
export function withStatus(cards: RateCard[], at = new Date()): (RateCard & { status: RateCardStatus })[] {
  const current = cards.find((c) => c.effectiveFrom.getTime() <= at.getTime());
  return cards.map((card) => ({ ...card, status: card === current ? "current" : card.effectiveFrom.getTime() > at.getTime() ? "scheduled" : "past" }));
}
