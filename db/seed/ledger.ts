import type { Db } from "@/db/client";
import { debitMany, expireBatches, getOrCreateOrgAccount, grantBatch, type DebitInput } from "@/lib/ledger";
import type { BatchSource, BatchType, UsageActor, UsageCategory, UsagePool } from "@/lib/ledger/types";

/**
 * Demo ledger for the demo owner (ISSUE 3): a Free signup batch expiring in 10 days, two Paid top-ups
 * (one without expiry), this month's plan batch (expires at month end), past months' plan batches
 * already expired (with their `expire` entries), and 90 days of usage across categories and both bot
 * types — written through the ledger's bulk verb day by day with the clock of that day, so every
 * invariant holds (ledger:verify passes) and allocations follow the consumption order of the time.
 */
export interface SeedLedgerOptions {
  ownerOrgId: string;
  bots: { id: string; type: "language_model" | "coding" }[];
  /** Default: now. */
  now?: Date;
  /** Default 90. */
  days?: number;
}

const DAY = 86_400_000;
const µ = (credits: number) => BigInt(Math.round(credits * 1_000_000));

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
const startOfUtcMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
const nextUtcMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));

interface PlannedGrant {
  type: BatchType;
  source: BatchSource;
  amount: bigint;
  addedAt: Date;
  expiresAt: Date | null;
  externalRef: string;
}

export async function seedLedgerDemo(db: Db, options: SeedLedgerOptions): Promise<{ accountId: string; events: number; batches: number }> {
  const now = options.now ?? new Date();
  const days = options.days ?? 90;
  const account = await getOrCreateOrgAccount(db, options.ownerOrgId);
  const accountId = account.id;
  const rand = rng(20260101);
  const historyStart = startOfUtcDay(new Date(now.getTime() - (days - 1) * DAY));

  // ---- batches, in the order they were added ----
  const grants: PlannedGrant[] = [];
  for (let m = startOfUtcMonth(historyStart); m <= now; m = nextUtcMonth(m)) {
    const added = m < historyStart ? historyStart : m;
    grants.push({ type: "paid", source: "plan", amount: µ(1000), addedAt: added, expiresAt: nextUtcMonth(m), externalRef: `demo-plan-${m.toISOString().slice(0, 7)}` });
  }
  grants.push({ type: "free", source: "promo", amount: µ(25), addedAt: new Date(historyStart.getTime() + 5 * DAY), expiresAt: new Date(historyStart.getTime() + 19 * DAY), externalRef: "demo-promo-welcome" });
  grants.push({ type: "paid", source: "top_up", amount: µ(500), addedAt: new Date(now.getTime() - 40 * DAY), expiresAt: null, externalRef: "demo-top-up-1" });
  grants.push({ type: "paid", source: "top_up", amount: µ(300), addedAt: new Date(now.getTime() - 8 * DAY), expiresAt: new Date(now.getTime() + 60 * DAY), externalRef: "demo-top-up-2" });
  grants.push({ type: "free", source: "signup_bonus", amount: µ(100), addedAt: new Date(now.getTime() - 1 * DAY), expiresAt: new Date(now.getTime() + 10 * DAY), externalRef: "demo-signup-bonus" });
  grants.sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime());

  const bots = options.bots.length ? options.bots : [];
  let nextGrant = 0;
  let lastMonth = startOfUtcMonth(historyStart).getTime();
  let events = 0;

  for (let d = 0; d < days; d++) {
    const dayStart = new Date(historyStart.getTime() + d * DAY);
    const dayEnd = new Date(Math.min(dayStart.getTime() + DAY - 1, now.getTime()));
    if (dayStart > now) break;
    // month boundary: the job expires last month's plan remainder then
    const month = startOfUtcMonth(dayStart).getTime();
    if (month !== lastMonth) {
      await expireBatches(db, { now: new Date(month) });
      lastMonth = month;
    }
    while (nextGrant < grants.length && grants[nextGrant].addedAt <= dayEnd) {
      const g = grants[nextGrant++];
      await grantBatch(db, { accountId, type: g.type, source: g.source, amount: g.amount, expiresAt: g.expiresAt, externalRef: g.externalRef, now: g.addedAt });
    }
    if (bots.length === 0) continue;
    const weekday = dayStart.getUTCDay();
    const base = weekday === 0 || weekday === 6 ? 180 : 320;
    const span = dayEnd.getTime() - dayStart.getTime();
    const count = Math.floor((base + rand() * 120) * (span / DAY));
    const inputs: DebitInput[] = [];
    for (let i = 0; i < count; i++) {
      const bot = bots[Math.floor(rand() * bots.length)];
      const coding = bot.type === "coding";
      const r = rand();
      let category: UsageCategory;
      let quantities: Record<string, unknown>;
      let cost: number;
      if (r < 0.02) {
        category = "training";
        const tokens = 2000 + Math.floor(rand() * 20000);
        quantities = { training_tokens: tokens };
        cost = tokens * 0.00001;
      } else if (r < 0.12) {
        category = "web_search";
        quantities = { searches: 1 + Math.floor(rand() * 3) };
        cost = 0.01 * (quantities.searches as number);
      } else if (r < 0.18) {
        category = "speech_to_text";
        const secs = 5 + Math.floor(rand() * 90);
        quantities = { audio_seconds: secs };
        cost = secs * 0.0005;
      } else if (coding && r < 0.28) {
        category = "code_artifact";
        quantities = { artifacts: 1 };
        cost = 0.25;
      } else {
        category = "llm";
        const input = 200 + Math.floor(rand() * 1500);
        const output = coding ? 400 + Math.floor(rand() * 3000) : 80 + Math.floor(rand() * 600);
        quantities = { input_tokens: input, output_tokens: output, model_tier: coding ? "large" : "standard" };
        cost = input * 0.000004 + output * (coding ? 0.00003 : 0.000016);
      }
      const actor: UsageActor = category === "training" ? "system" : rand() < 0.25 ? "operator" : "free_visitor";
      const pool: UsagePool = actor === "free_visitor" ? "free_reserve" : "owner";
      inputs.push({
        accountId,
        amount: µ(Math.max(cost, 0.000001)),
        botId: bot.id,
        actor,
        pool,
        category,
        quantities,
        occurredAt: new Date(dayStart.getTime() + Math.floor(((i + rand()) / count) * span)),
        rateCardVersion: 1,
      });
    }
    const results = await debitMany(db, inputs, { now: dayEnd });
    events += results.filter((x) => !(x instanceof Error)).length;
  }
  await expireBatches(db, { now });
  return { accountId, events, batches: grants.length };
}
