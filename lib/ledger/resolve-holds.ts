import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { GroupCommitQueue, type FlushAttempt } from "./group-commit";
import { HoldAlreadyResolvedError, HoldExpiredError, HoldNotFoundError } from "./errors";
import { isTx, parseAllocations, rows, toBig, type Allocation } from "./internal";

/** One item of `ledger_resolve_holds`. */
export interface ResolveItem {
  hold_id: string;
  action: "capture" | "release" | "expire";
  amount?: string;
  category?: string | null;
  quantities?: Record<string, unknown> | null;
  occurred_at?: string | null;
  rate_card_version?: number | null;
  description?: string | null;
  /** Capture: client-generated id of the usage event (makes a retried capture recognisable). */
  usage_event_id?: string;
  /** Set on a retry after a failed flush: an item already applied is reported, not applied again. */
  retry?: boolean;
}

export interface ResolveOutcome {
  holdId: string;
  status: "ok" | "not_due";
  holdStatus: string;
  usageEventId: string | null;
  charged: bigint;
  released: bigint;
  uncollected: bigint;
  available: bigint;
  allocations: Allocation[];
}

interface Row {
  ord: number;
  status: "ok" | "not_found" | "already_resolved" | "expired" | "not_due";
  hold_status: string | null;
  usage_event_id: string | null;
  charged: string | null;
  released: string | null;
  uncollected: string | null;
  available: string | null;
  allocations: unknown;
}

function toOutcome(item: ResolveItem, row: Row): ResolveOutcome | Error {
  switch (row.status) {
    case "not_found":
      return new HoldNotFoundError(item.hold_id);
    case "already_resolved":
      return new HoldAlreadyResolvedError(item.hold_id, row.hold_status ?? "resolved");
    case "expired":
      return new HoldExpiredError(item.hold_id);
    default:
      return {
        holdId: item.hold_id,
        status: row.status,
        holdStatus: row.hold_status ?? "",
        usageEventId: row.usage_event_id,
        charged: toBig(row.charged),
        released: toBig(row.released),
        uncollected: toBig(row.uncollected),
        available: toBig(row.available),
        allocations: parseAllocations(row.allocations),
      };
  }
}

const RESOLVE_SQL = "select * from ledger_resolve_holds($1::jsonb, coalesce($2::timestamptz, now()))";

export async function resolveOnDb(
  db: Db,
  items: ResolveItem[],
  now?: Date,
  attempt: FlushAttempt = { retry: false },
): Promise<(ResolveOutcome | Error)[]> {
  const payload = attempt.retry ? items.map((i) => ({ ...i, retry: true })) : items;
  const result = (await db.$client.unsafe(RESOLVE_SQL, [JSON.stringify(payload), now ? now.toISOString() : null], {
    prepare: true,
  })) as unknown as Row[];
  return items.map((item, i) => toOutcome(item, result[i]));
}

export async function resolveHoldItems(db: DbOrTx, items: ResolveItem[], now?: Date): Promise<(ResolveOutcome | Error)[]> {
  if (items.length === 0) return [];
  if (!isTx(db)) return resolveOnDb(db as Db, items, now);
  const result = await rows<Row>(
    db,
    sql`select * from ledger_resolve_holds(${JSON.stringify(items)}::jsonb, coalesce(${now ? now.toISOString() : null}::timestamptz, now()))`,
  );
  return items.map((item, i) => toOutcome(item, result[i]));
}

const queues = new WeakMap<object, GroupCommitQueue<ResolveItem, ResolveOutcome>>();

export function resolveQueue(db: Db): GroupCommitQueue<ResolveItem, ResolveOutcome> {
  let q = queues.get(db);
  if (!q) {
    q = new GroupCommitQueue<ResolveItem, ResolveOutcome>((items, attempt) => resolveOnDb(db, items, undefined, attempt));
    queues.set(db, q);
  }
  return q;
}

export async function resolveHoldItem(db: DbOrTx, item: ResolveItem, now?: Date): Promise<ResolveOutcome> {
  if (!isTx(db) && !now) return resolveQueue(db as Db).submit(item);
  const [out] = await resolveHoldItems(db, [item], now);
  if (out instanceof Error) throw out;
  return out;
}
