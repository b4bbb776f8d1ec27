import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import type { FlushAttempt } from "./group-commit";
import { applyColumns, applyRows, byOrd, ledgerQueue, rememberHoldAccount, type ApplyOptions, type ApplyRow } from "./flush-queue";
import { AccountNotFoundError, InsufficientCreditsError } from "./errors";
import {
  isTx,
  newId,
  optionalUuid,
  parseAllocations,
  requireDate,
  requireOneOf,
  requirePositive,
  requireUuid,
  rows,
  toBig,
  type Allocation,
} from "./internal";
import { InvalidInputError } from "@/lib/errors";
import { USAGE_ACTORS, USAGE_CATEGORIES, USAGE_POOLS, type UsageMeta } from "./types";

/** One item of `ledger_apply_debits` (already validated, JSON-ready). */
export interface DebitItem {
  /** Client-generated id: the usage event's (debit) or the hold's (hold). Makes a retried item safe. */
  id: string;
  kind: "debit" | "hold";
  account_id: string;
  amount: string;
  bot_id: string | null;
  end_user_id: string | null;
  actor: string;
  category: string | null;
  quantities: Record<string, unknown>;
  pool: string;
  occurred_at: string | null;
  rate_card_version: number | null;
  description: string | null;
  hold_expires_at: string | null;
  metadata: Record<string, unknown>;
  /** Set on a retry after a failed flush: an item already applied is reported, not applied again. */
  retry?: boolean;
}

export interface DebitOutcome {
  accountId: string;
  amount: bigint;
  usageEventId: string | null;
  holdId: string | null;
  /** Empty when the caller asked for none (`allocations: false`). */
  allocations: Allocation[];
  available: bigint;
}

type Row = ApplyRow;

export function buildDebitItem(
  kind: "debit" | "hold",
  input: UsageMeta & { accountId: string; amount: bigint; holdExpiresAt?: Date; metadata?: Record<string, unknown> },
): DebitItem {
  const amount = requirePositive(input.amount, "amount");
  if (input.quantities !== undefined && (typeof input.quantities !== "object" || input.quantities === null)) {
    throw new InvalidInputError("quantities", "quantities must be an object");
  }
  if (input.rateCardVersion != null && !Number.isSafeInteger(input.rateCardVersion)) {
    throw new InvalidInputError("rateCardVersion", "rateCardVersion must be an integer");
  }
  return {
    id: newId(),
    kind,
    account_id: requireUuid(input.accountId, "accountId"),
    amount: amount.toString(),
    bot_id: optionalUuid(input.botId, "botId"),
    end_user_id: optionalUuid(input.endUserId, "endUserId"),
    actor: requireOneOf(input.actor ?? "operator", USAGE_ACTORS, "actor"),
    category: input.category == null ? null : requireOneOf(input.category, USAGE_CATEGORIES, "category"),
    quantities: input.quantities ?? {},
    pool: requireOneOf(input.pool ?? "owner", USAGE_POOLS, "pool"),
    occurred_at: input.occurredAt ? requireDate(input.occurredAt, "occurredAt").toISOString() : null,
    rate_card_version: input.rateCardVersion ?? null,
    description: input.description ?? null,
    hold_expires_at: input.holdExpiresAt ? input.holdExpiresAt.toISOString() : null,
    metadata: input.metadata ?? {},
  };
}

function toOutcome(item: DebitItem, row: Row): DebitOutcome | Error {
  const amount = BigInt(item.amount);
  if (row.status === "unknown_account") return new AccountNotFoundError(item.account_id);
  if (row.status === "insufficient") {
    return new InsufficientCreditsError(item.account_id, toBig(row.shortfall), toBig(row.available), amount);
  }
  return {
    accountId: item.account_id,
    amount,
    usageEventId: row.usage_event_id,
    holdId: row.hold_id,
    allocations: parseAllocations(row.allocations),
    available: toBig(row.available),
  };
}

/** Items through one `ledger_apply_debits` call on a Db (one transaction), outcomes per item. */
export async function applyOnDb(db: Db, items: DebitItem[], now?: Date, attempt?: FlushAttempt, options: ApplyOptions = {}): Promise<(DebitOutcome | Error)[]> {
  const result = await applyRows(db, items, now, attempt, options);
  return items.map((item, i) => toOutcome(item, result[i]));
}

async function applyOnTx(db: DbOrTx, items: DebitItem[], now: Date | undefined, options: ApplyOptions = {}): Promise<(DebitOutcome | Error)[]> {
  const columns = sql.raw(applyColumns(options.allocations !== false));
  const at = now ? now.toISOString() : null;
  const result = byOrd(
    await rows<Row>(db, sql`select ${columns} from ledger_apply_debits(${JSON.stringify(items)}::jsonb, coalesce(${at}::timestamptz, now()))`),
    items.length,
  );
  return items.map((item, i) => toOutcome(item, result[i]));
}

/**
 * Applies one debit/hold item: through the ledger's write queue (group commit) when given a Db and no
 * injected `now`; otherwise as a plain single call inside the given transaction.
 */
export async function applyDebitItem(db: DbOrTx, item: DebitItem, now?: Date): Promise<DebitOutcome> {
  let out: DebitOutcome | Error;
  if (isTx(db)) [out] = await applyOnTx(db, [item], now);
  else {
    const row = now ? (await applyRows(db as Db, [item], now))[0] : await ledgerQueue(db as Db).submit({ op: "apply", item });
    out = toOutcome(item, row as Row);
    // A capture of this hold can then join the flushes of its account.
    if (!(out instanceof Error) && out.holdId) rememberHoldAccount(out.holdId, out.accountId, item.pool);
  }
  if (out instanceof Error) throw out;
  return out;
}

/** Bulk path (seed, imports, the batch endpoint): many items in one call/transaction, results per item. */
export async function applyDebitItems(db: DbOrTx, items: DebitItem[], now?: Date, options: ApplyOptions = {}): Promise<(DebitOutcome | Error)[]> {
  if (items.length === 0) return [];
  return isTx(db) ? applyOnTx(db, items, now, options) : applyOnDb(db as Db, items, now, undefined, options);
}
