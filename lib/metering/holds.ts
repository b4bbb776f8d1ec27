import { and, eq } from "drizzle-orm";
import { db as appDb, isTransaction, type DbOrTx } from "@/db/client";
import { holds } from "@/db/schema";
import { InvalidInputError } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
import { captureHold } from "@/lib/ledger/capture-hold";
import { HoldExpiredError, HoldNotFoundError } from "@/lib/ledger/errors";
import { releaseHold } from "@/lib/ledger/release-hold";
import { resolveHoldItem } from "@/lib/ledger/resolve-holds";
import type { UsageCategory } from "@/lib/ledger/types";
import { rateCardAt, priceLine, quantitiesOf, type UsageLine } from "./rate-card";
import { afterOrganizationCharge } from "@/lib/notifications/balance-alerts";
import { settleFreeReserve, type FreeReserveClaim } from "./free-reserve";
import { DEFAULT_HOLD_TTL_MS } from "@/lib/ledger/types";
import { sharedCache } from "./ttl-cache";

export interface HoldRow {
  id: string;
  botId: string | null;
  endUserId: string | null;
  pool: string | null;
  expiresAt: Date;
  claim: FreeReserveClaim | null;
}

/**
 * Holds authorized by this process, until they are resolved: a capture right after its authorization
 * (the common case, on the same instance) needs no read of the hold. What is cached never changes on a
 * hold (owner, bot, end user, pool, expiry, free-reserve claim); whether it is still open is the ledger's call.
 * A capture that reaches another instance reads the hold as before.
 */
const authorizedHolds = sharedCache<HoldRow & { organizationId: string }>("authorized-holds", DEFAULT_HOLD_TTL_MS, 100_000);

export function rememberAuthorizedHold(organizationId: string, hold: HoldRow): void {
  authorizedHolds.set(hold.id, { ...hold, organizationId });
}

/** For tests: act as an instance that authorized none of the open holds. */
export function forgetAuthorizedHolds(): void {
  authorizedHolds.clear();
}

/** A hold of this organization; another organization's hold is "not found" (404), never a 403. */
async function findHold(db: DbOrTx, organizationId: string, holdId: string): Promise<HoldRow> {
  if (!isUuid(holdId)) throw new HoldNotFoundError(holdId);
  const known = authorizedHolds.get(holdId);
  if (known) {
    if (known.organizationId !== organizationId) throw new HoldNotFoundError(holdId);
    return known;
  }
  const [row] = await db
    .select({ id: holds.id, expiresAt: holds.expiresAt, metadata: holds.metadata })
    .from(holds)
    .where(and(eq(holds.id, holdId), eq(holds.organizationId, organizationId)))
    .limit(1);
  if (!row) throw new HoldNotFoundError(holdId);
  const m = row.metadata as Record<string, unknown>;
  const extra = (m.metadata ?? m) as Record<string, unknown>;
  return {
    id: row.id,
    botId: (m.bot_id as string) ?? null,
    endUserId: (m.end_user_id as string) ?? null,
    pool: (m.pool as string) ?? null,
    expiresAt: row.expiresAt,
    claim: (extra.free_reserve as FreeReserveClaim) ?? null,
  };
}

export type CaptureRequest = { usage: UsageLine[] } | { amount: bigint };

export interface CaptureOutcome {
  usageEventId: string;
  charged: bigint;
  released: bigint;
  uncollected: bigint;
  cost: bigint;
}

/**
 * The usage event gets one category: the costliest line's (an answer is "an LLM answer" even if it
 * searched once); every line with its own cost stays in the event's quantities.
 */
function summarize(lines: UsageLine[], costs: bigint[]): { category: UsageCategory; quantities: Record<string, unknown> } {
  let top = 0;
  costs.forEach((cost, i) => {
    if (cost > costs[top]) top = i;
  });
  if (lines.length === 1) return { category: lines[0].category, quantities: quantitiesOf(lines[0]) };
  return {
    category: lines[top].category,
    quantities: { lines: lines.map((line, i) => ({ category: line.category, ...quantitiesOf(line), cost_micro: costs[i].toString() })) },
  };
}

/** After an answer: price the actual usage at the rate card in force now, capture, settle the free reserve. */
export async function captureAuthorization(db: DbOrTx, organizationId: string, holdId: string, request: CaptureRequest, now = new Date()): Promise<CaptureOutcome> {
  const hold = await findHold(db, organizationId, holdId);
  let amount: bigint;
  let extras: { category?: UsageCategory; quantities?: Record<string, unknown>; rateCardVersion?: number } = {};
  if ("usage" in request) {
    // SPEC §2: training is always the owner pool's. A paying visitor's hold earmarks that visitor's own
    // credits, so training reported on it must go through POST /usage-events instead.
    const training = request.usage.findIndex((line) => line.category === "training");
    if (training >= 0 && hold.pool === "end_user") {
      throw new InvalidInputError(
        `usage.${training}.category`,
        "training is always paid by the owner pool, never by a paying visitor's credits: report it with POST /api/v1/usage-events (actor operator)",
      );
    }
    const card = await rateCardAt(db, now);
    const costs = request.usage.map((line) => priceLine(card.prices, line));
    amount = costs.reduce((a, b) => a + b, 0n);
    extras = { ...summarize(request.usage, costs), rateCardVersion: card.version };
  } else {
    amount = request.amount;
  }
  // A zero-cost answer (e.g. 0 tokens) charges nothing: release the whole hold instead, unless it has
  // expired, which a capture of any amount must report (SPEC §5: an expired hold is not capturable).
  if (amount === 0n) {
    await refuseIfExpired(db, hold, now);
    const released = await releaseHold(db, { holdId: hold.id });
    authorizedHolds.delete(hold.id);
    if (hold.claim && hold.botId && hold.endUserId) await settleFreeReserve(db, { botId: hold.botId, endUserId: hold.endUserId, claim: hold.claim, charged: 0n, answerHappened: true });
    return { usageEventId: "", charged: 0n, released: released.released, uncollected: 0n, cost: 0n };
  }
  const result = await captureHold(db, { holdId: hold.id, amount, ...extras, occurredAt: now });
  authorizedHolds.delete(hold.id);
  if (hold.pool !== "end_user") afterOrganizationCharge(organizationId, result.available, now);
  if (hold.claim && hold.botId && hold.endUserId) {
    await settleFreeReserve(db, { botId: hold.botId, endUserId: hold.endUserId, claim: hold.claim, charged: result.charged, answerHappened: true });
  }
  return { usageEventId: result.usageEventId, charged: result.charged, released: result.released, uncollected: result.uncollected, cost: amount };
}

/**
 * The ledger refuses a capture past the hold's expiry itself, but releases such a hold if the expiry job
 * has not reached it. The API answers a release (and a zero-cost capture, which releases) the same
 * before and after the job: 409 hold_expired, or hold_already_resolved if it was captured or released.
 * An open overdue hold is expired on the spot, as the job would, so its credits are free at once. That
 * runs on the app pool: the caller's transaction (an Idempotency-Key's) rolls back with the refusal.
 */
async function refuseIfExpired(db: DbOrTx, hold: HoldRow, now: Date): Promise<void> {
  if (hold.expiresAt.getTime() > now.getTime()) return;
  const outcome = await resolveHoldItem(isTransaction(db) ? appDb() : db, { hold_id: hold.id, action: "expire" }).catch((error: unknown) => error);
  authorizedHolds.delete(hold.id);
  // Captured or released before its expiry (hold_already_resolved), or expired by the job already: that
  // is the answer. Expired now, or "not due" by the database's clock a moment behind ours (the job's then).
  if (outcome instanceof Error) throw outcome;
  throw new HoldExpiredError(hold.id);
}

export async function releaseAuthorization(db: DbOrTx, organizationId: string, holdId: string, now = new Date()): Promise<{ released: bigint }> {
  const hold = await findHold(db, organizationId, holdId);
  await refuseIfExpired(db, hold, now);
  const result = await releaseHold(db, { holdId: hold.id });
  authorizedHolds.delete(hold.id);
  if (hold.claim && hold.botId && hold.endUserId) {
    await settleFreeReserve(db, { botId: hold.botId, endUserId: hold.endUserId, claim: hold.claim, charged: 0n, answerHappened: false });
  }
  return { released: result.released };
}
