import type { Db } from "@/db/client";
import { GroupCommitQueue, type FlushAttempt } from "./group-commit";
import type { DebitItem } from "./apply-debits";
import type { ResolveItem } from "./resolve-holds";

/**
 * The ledger's write queue. Every hold, debit and hold resolution made on a Db (not inside a caller's
 * transaction) goes through one group-commit queue per Db, keyed by account: whatever arrives for an
 * account while its previous flush is in the database becomes its next flush — holds, debits and
 * captures/releases together, one round trip and one commit (`ledger_apply_mixed` when both kinds are
 * in it). A hold+capture pair used to need two commits on the same account lock. In a mixed flush the
 * resolutions are applied before the holds and debits (whatever their arrival order): what they free is
 * spendable by the rest of the flush.
 *
 * Keys are accounts where the account is known: a debit's or hold's always, a resolution's when this
 * process placed the hold (`rememberHoldAccount`); otherwise the hold id is its key, so it may run beside
 * a flush of its account and wait on that account's lock (correct, just not batched).
 *
 * The queue only moves rows: callers turn a row into their result or typed error themselves. That
 * keeps it safe to share across Next's route bundles (each has its own copy of the error classes, and
 * `instanceof` must see the caller's), which is why it lives on globalThis: the authorize and capture
 * routes of one process must feed the same queue to be flushed together.
 */

export interface ApplyRow {
  ord: number;
  status: "ok" | "insufficient" | "unknown_account";
  usage_event_id: string | null;
  hold_id: string | null;
  available: string | null;
  shortfall: string | null;
  /** Absent when the caller asked for no allocations (see applyRows). */
  allocations?: unknown;
}

export interface ResolveRow {
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

export type LedgerOp = { op: "apply"; item: DebitItem } | { op: "resolve"; item: ResolveItem };
type LedgerRow = ApplyRow | ResolveRow;

/**
 * The columns of `ledger_apply_debits` to read: all, or all but the allocations (decoding one JSON array
 * per debit was a few percent of a batch's CPU, for callers that never read them).
 */
export function applyColumns(allocations: boolean): string {
  return allocations ? "*" : "ord, status, usage_event_id, hold_id, available, shortfall";
}
const applySql = (allocations: boolean) => `select ${applyColumns(allocations)} from ledger_apply_debits($1::jsonb, coalesce($2::timestamptz, now()))`;
const APPLY_SQL = applySql(true);
const APPLY_SQL_NO_ALLOCATIONS = applySql(false);
const RESOLVE_SQL = "select * from ledger_resolve_holds($1::jsonb, coalesce($2::timestamptz, now()))";
const MIXED_SQL = "select * from ledger_apply_mixed($1::jsonb, $2::jsonb, now())";

/** On a retry after a failed flush every item is flagged: one already applied is reported, not redone. */
function payload<T extends object>(items: T[], attempt: FlushAttempt): string {
  return JSON.stringify(attempt.retry ? items.map((i) => ({ ...i, retry: true })) : items);
}

const iso = (now: Date | undefined) => (now ? now.toISOString() : null);

export interface ApplyOptions {
  /** false: outcomes carry no allocations (the ledger still records them), for callers that never read them. */
  allocations?: boolean;
}

/** One `ledger_apply_debits` call (one transaction), raw rows in item order; `allocations: false` leaves them out. */
export async function applyRows(
  db: Db,
  items: DebitItem[],
  now?: Date,
  attempt: FlushAttempt = { retry: false },
  options: ApplyOptions = {},
): Promise<ApplyRow[]> {
  const query = options.allocations === false ? APPLY_SQL_NO_ALLOCATIONS : APPLY_SQL;
  return byOrd((await db.$client.unsafe(query, [payload(items, attempt), iso(now)], { prepare: true })) as unknown as ApplyRow[], items.length);
}

/** One `ledger_resolve_holds` call (one transaction), raw rows in item order. */
export async function resolveRows(db: Db, items: ResolveItem[], now?: Date, attempt: FlushAttempt = { retry: false }): Promise<ResolveRow[]> {
  return byOrd((await db.$client.unsafe(RESOLVE_SQL, [payload(items, attempt), iso(now)], { prepare: true })) as unknown as ResolveRow[], items.length);
}

/** Rows in item order (`ord` is the item's 1-based position; a set-returning function promises no order). */
export function byOrd<R extends { ord: number }>(rows: R[], n: number): R[] {
  const out = new Array<R>(n);
  for (const row of rows) out[row.ord - 1] = row;
  return out;
}

/**
 * Whether a part of a flush writes usage_daily rows that other accounts' flushes write too: end users of
 * one bot share their rollup rows (organization, day, bot, category, pool, actor), owner pools never do.
 * A capture of a hold this process did not place might be one.
 */
const sharesRollupRows = {
  applies: (items: DebitItem[]) => items.some((i) => i.kind === "debit" && i.pool === "end_user"),
  resolves: (items: ResolveItem[]) =>
    items.some((i) => i.action === "capture" && (holdAccounts().get(i.hold_id)?.pool ?? "end_user") === "end_user"),
};

/** Flushes that carried both kinds (holds/debits and resolutions) in one transaction: for benches and tests. */
const statsShared = globalThis as { __creditdeskMixedFlushStats?: { flushes: number } };
export const mixedFlushStats = (statsShared.__creditdeskMixedFlushStats ??= { flushes: 0 });

/** One flush: the rows of `ops`, in order, from one SQL call (one transaction). */
export async function flushLedgerOps(db: Db, ops: LedgerOp[], attempt: FlushAttempt = { retry: false }): Promise<LedgerRow[]> {
  const applies: DebitItem[] = [];
  const resolves: ResolveItem[] = [];
  for (const o of ops) {
    if (o.op === "apply") applies.push(o.item);
    else resolves.push(o.item);
  }
  let applied: ApplyRow[] = [];
  let resolved: ResolveRow[] = [];
  if (resolves.length === 0) applied = await applyRows(db, applies, undefined, attempt);
  else if (applies.length === 0) resolved = await resolveRows(db, resolves, undefined, attempt);
  else if (sharesRollupRows.applies(applies) && sharesRollupRows.resolves(resolves)) {
    // Both parts would write shared rollup rows, each part in its own sorted run: two such flushes could
    // take those rows in opposite orders and deadlock. Two transactions, each with one sorted run.
    resolved = await resolveRows(db, resolves, undefined, attempt);
    applied = await applyRows(db, applies, undefined, attempt);
  } else {
    mixedFlushStats.flushes++;
    const mixed = (await db.$client.unsafe(MIXED_SQL, [payload(applies, attempt), payload(resolves, attempt)], {
      prepare: true,
    })) as unknown as (ApplyRow & ResolveRow & { part: number })[];
    applied = new Array(applies.length);
    resolved = new Array(resolves.length);
    for (const row of mixed) (row.part === 1 ? resolved : applied)[row.ord - 1] = row;
  }
  let a = 0;
  let r = 0;
  return ops.map((o) => (o.op === "apply" ? applied[a++] : resolved[r++]));
}

/**
 * Flush slots per Db (each flush takes a pooled connection). A hot account's pipelined flushes come on
 * top (at most as many again; see FLUSHES_PER_ACCOUNT), so the queue may hold twice this many connections.
 */
export const FLUSHES_IN_FLIGHT = Math.max(1, Number(process.env.LEDGER_FLUSHES_IN_FLIGHT ?? 2) || 1);
/**
 * Callers answered by one flush come back together; spread over many accounts they would all go into
 * the next flush and leave the second connection (and core) idle. Above this many they are shared
 * between the free slots (one account's items always stay together).
 */
const SHARE_ABOVE = 8;
/**
 * Flushes one account may have in flight. With one, Node and Postgres took turns on a hot account: the
 * flush ran in Postgres while Node waited, then Node decoded it and encoded the next while Postgres
 * waited (bench:ledger: ~1.1 of 2 cores busy). With two, the second waits on the account's lock and
 * Postgres applies them one after the other, while Node works on the other one (bench:ledger against
 * one per account, same machine and half hour: hot debits +1–7%, hold+capture pairs +14–29%; a hot
 * account is then bound by Postgres, one flush after another under its lock). Every writer locks
 * accounts in id order first, so two flushes sharing accounts cannot deadlock. See
 * GroupCommitOptions.maxPerKey.
 */
export const FLUSHES_PER_ACCOUNT = Math.max(1, Number(process.env.LEDGER_FLUSHES_PER_ACCOUNT ?? 2) || 1);

/**
 * Items of an account that must be waiting before it gets a second flush (GroupCommitOptions.pipelineAbove).
 * Through the metering API a hot account's requests arrive one by one, as fast as the route handlers
 * run, and each used to get a pipelined flush of one or two items at once. Waiting for four:
 * bench:api authorize+capture pairs ~2.5% faster relative to the floor (eight interleaved runs each:
 * 0.401–0.421 against 0.389–0.408 × the floor, higher in every pair of runs) with ~10% fewer commits.
 * bench:ledger is unchanged (its callers come back 16 at a time). Those runs predate the queue's
 * end-of-turn scheduling (GroupCommitQueue.schedule), which batches such arrivals by itself: since then
 * 1, 4 and 8 measured alike (0.38–0.40 × the floor, two runs each), so this threshold now matters little.
 */
export const PIPELINE_ABOVE = Math.max(1, Number(process.env.LEDGER_PIPELINE_ABOVE ?? 4) || 1);

const shared = globalThis as { __creditdeskLedgerQueues?: WeakMap<object, GroupCommitQueue<LedgerOp, LedgerRow>> };

/** The account a resolution belongs to, when this process placed the hold (else its own key). */
function keyOf(op: LedgerOp): string {
  if (op.op === "apply") return op.item.account_id;
  return holdAccounts().get(op.item.hold_id)?.accountId ?? `hold:${op.item.hold_id}`;
}

/** The Db's write queue (one per Db and process; one queue across all accounts so spread traffic batches too). */
export function ledgerQueue(db: Db): GroupCommitQueue<LedgerOp, LedgerRow> {
  const queues = (shared.__creditdeskLedgerQueues ??= new WeakMap());
  let q = queues.get(db);
  if (!q) {
    q = new GroupCommitQueue<LedgerOp, LedgerRow>((ops, attempt) => flushLedgerOps(db, ops, attempt), 1000, {
      key: keyOf,
      maxInFlight: FLUSHES_IN_FLIGHT,
      shareAbove: SHARE_ABOVE,
      maxPerKey: FLUSHES_PER_ACCOUNT,
      pipelineAbove: PIPELINE_ABOVE,
    });
    queues.set(db, q);
  }
  return q;
}

// ---- which account a hold placed by this process is on (a key hint only: a miss costs batching, not correctness)

const HOLD_ACCOUNTS_MAX = 100_000;
type HoldPlace = { accountId: string; pool: string };
const holdShared = globalThis as { __creditdeskHoldAccounts?: Map<string, HoldPlace> };
const holdAccounts = (): Map<string, HoldPlace> => (holdShared.__creditdeskHoldAccounts ??= new Map());

export function rememberHoldAccount(holdId: string, accountId: string, pool: string): void {
  const map = holdAccounts();
  if (map.size >= HOLD_ACCOUNTS_MAX) map.delete(map.keys().next().value as string);
  map.set(holdId, { accountId, pool });
}

export function forgetHoldAccount(holdId: string): void {
  holdAccounts().delete(holdId);
}
