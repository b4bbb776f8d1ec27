/**
 * THE consumption order (SPEC §4): the one definition of which batch is spent first.
 *
 *   1. an explicit `priority` (lower first) overrides everything: batches with a priority come before
 *      batches without one;
 *   2. Free before Paid;
 *   3. soonest expiry first, no expiry last;
 *   4. oldest first (added_at), then insertion order (seq).
 *
 * The hot path runs in SQL; its ORDER BY is CONSUMPTION_ORDER_SQL below, which is the mirror of
 * `compareBatches`. It appears verbatim in drizzle/0002_ledger_functions.sql (alias `b` or `bb`), and
 * consumption-order.test.ts checks both that the text is there and that SQL and JS sort alike.
 */
export interface OrderableBatch {
  type: "free" | "paid";
  priority: number | null;
  expiresAt: Date | null;
  addedAt: Date;
  seq: bigint;
}

/** The SQL mirror of compareBatches, for a batches row aliased `alias`. */
export function consumptionOrderSql(alias = "b"): string {
  const a = alias;
  return `${a}.priority ASC NULLS LAST, (${a}.type = 'paid') ASC, ${a}.expires_at ASC NULLS LAST, ${a}.added_at ASC, ${a}.seq ASC`;
}
export const CONSUMPTION_ORDER_SQL = consumptionOrderSql("b");

function cmpNullsLast(x: number | null, y: number | null): number {
  if (x === null && y === null) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Negative when `x` is spent before `y`. */
export function compareBatches(x: OrderableBatch, y: OrderableBatch): number {
  return (
    cmpNullsLast(x.priority, y.priority) ||
    (x.type === y.type ? 0 : x.type === "free" ? -1 : 1) ||
    cmpNullsLast(x.expiresAt?.getTime() ?? null, y.expiresAt?.getTime() ?? null) ||
    x.addedAt.getTime() - y.addedAt.getTime() ||
    (x.seq < y.seq ? -1 : x.seq > y.seq ? 1 : 0)
  );
}

/** A sorted copy, in consumption order. */
export function sortForConsumption<T extends OrderableBatch>(batches: readonly T[]): T[] {
  return [...batches].sort(compareBatches);
}

/** Whether a batch is spendable at `now`: unexpired, not voided, already added, with unheld credits. */
export function isSpendable(
  b: { expiresAt: Date | null; addedAt: Date; voidedAt?: Date | null; remaining: bigint; held: bigint },
  now: Date,
): boolean {
  return (
    b.remaining > b.held &&
    !b.voidedAt &&
    b.addedAt.getTime() <= now.getTime() &&
    (b.expiresAt === null || b.expiresAt.getTime() > now.getTime())
  );
}
