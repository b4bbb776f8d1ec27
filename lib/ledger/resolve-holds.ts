import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import type { FlushAttempt } from "./group-commit";
import { byOrd, forgetHoldAccount, ledgerQueue, resolveRows, type ResolveRow } from "./flush-queue";
import { holdNotOpenError, HoldExpiredError, HoldNotFoundError } from "./errors";
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

type Row = ResolveRow;

function toOutcome(item: ResolveItem, row: Row): ResolveOutcome | Error {
  switch (row.status) {
    case "not_found":
      return new HoldNotFoundError(item.hold_id);
    case "already_resolved":
      return holdNotOpenError(item.hold_id, row.hold_status ?? "resolved");
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

/** Items through one `ledger_resolve_holds` call on a Db (one transaction), outcomes per item. */
export async function resolveOnDb(db: Db, items: ResolveItem[], now?: Date, attempt?: FlushAttempt): Promise<(ResolveOutcome | Error)[]> {
  const result = await resolveRows(db, items, now, attempt);
  return items.map((item, i) => toOutcome(item, result[i]));
}

export async function resolveHoldItems(db: DbOrTx, items: ResolveItem[], now?: Date): Promise<(ResolveOutcome | Error)[]> {
  if (items.length === 0) return [];
  const result = isTx(db)
    ? byOrd(
        await rows<Row>(
          db,
          sql`select * from ledger_resolve_holds(${JSON.stringify(items)}::jsonb, coalesce(${now ? now.toISOString() : null}::timestamptz, now()))`,
        ),
        items.length,
      )
    : await resolveRows(db as Db, items, now);
  return items.map((item, i) => toOutcome(item, result[i]));
}

/** Resolves one hold: through the ledger's write queue when given a Db and no injected `now`. */
export async function resolveHoldItem(db: DbOrTx, item: ResolveItem, now?: Date): Promise<ResolveOutcome> {
  let out: ResolveOutcome | Error;
  if (!isTx(db) && !now) {
    try {
      out = toOutcome(item, (await ledgerQueue(db as Db).submit({ op: "resolve", item })) as Row);
    } finally {
      forgetHoldAccount(item.hold_id);
    }
  } else [out] = await resolveHoldItems(db, [item], now);
  if (out instanceof Error) throw out;
  return out;
}
