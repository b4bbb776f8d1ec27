import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { InvalidInputError } from "@/lib/errors";
import { AccountNotFoundError, GrantConflictError } from "./errors";
import { BATCH_COLUMNS, toBatchView, type BatchRow, type BatchView } from "./batch-view";
import { requireDate, requireOneOf, requirePositive, requireUuid, rows } from "./internal";
import { BATCH_SOURCES, BATCH_TYPES, type BatchSource, type BatchType } from "./types";

export interface GrantBatchInput {
  accountId: string;
  type: BatchType;
  source: BatchSource;
  /** Micro-credits, > 0. */
  amount: bigint;
  expiresAt?: Date | null;
  priority?: number | null;
  /** e.g. a Stripe checkout session id: the same (account, source, externalRef) grants once. */
  externalRef?: string | null;
  metadata?: Record<string, unknown>;
  /** Injected clock; also the batch's added_at. */
  now?: Date;
}

/**
 * Adds a batch and its `grant` entry (one statement, so one transaction). With an externalRef a
 * replay returns the existing batch (`created: false`); different terms → GrantConflictError (409).
 */
export async function grantBatch(db: DbOrTx, input: GrantBatchInput): Promise<{ batch: BatchView; created: boolean }> {
  const accountId = requireUuid(input.accountId, "accountId");
  const type = requireOneOf(input.type, BATCH_TYPES, "type");
  const source = requireOneOf(input.source, BATCH_SOURCES, "source");
  const amount = requirePositive(input.amount, "amount");
  const now = input.now ? requireDate(input.now, "now") : new Date();
  const expiresAt = input.expiresAt == null ? null : requireDate(input.expiresAt, "expiresAt");
  if (expiresAt && expiresAt.getTime() <= now.getTime()) throw new InvalidInputError("expiresAt", "expiresAt must be in the future");
  if (input.priority != null && !Number.isSafeInteger(input.priority)) throw new InvalidInputError("priority", "priority must be an integer");
  const externalRef = input.externalRef ?? null;
  if (externalRef !== null && (typeof externalRef !== "string" || externalRef.length === 0)) {
    throw new InvalidInputError("externalRef", "externalRef must be a non-empty string");
  }
  let inserted: BatchRow[];
  try {
    inserted = await rows<BatchRow>(
      db,
      sql`with ins as (
            insert into batches (account_id, type, source, amount, remaining, added_at, expires_at, priority, external_ref, metadata)
            values (${accountId}, ${type}, ${source}, ${amount.toString()}::bigint, ${amount.toString()}::bigint, ${now.toISOString()}::timestamptz,
                    ${expiresAt ? expiresAt.toISOString() : null}::timestamptz, ${input.priority ?? null}::int, ${externalRef},
                    ${JSON.stringify(input.metadata ?? {})}::jsonb)
            on conflict (account_id, source, external_ref) where external_ref is not null do nothing
            returning *
          ), entry as (
            insert into ledger_entries (account_id, batch_id, kind, remaining_delta, created_at)
            select account_id, id, 'grant', amount, added_at from ins
          )
          select ${sql.raw(BATCH_COLUMNS)} from ins`,
    );
  } catch (e) {
    const code = (e as { code?: string; cause?: { code?: string } }).code ?? (e as { cause?: { code?: string } }).cause?.code;
    if (code === "23503") throw new AccountNotFoundError(accountId);
    throw e;
  }
  if (inserted[0]) return { batch: toBatchView(inserted[0]), created: true };
  const [existing] = await rows<BatchRow>(
    db,
    sql`select ${sql.raw(BATCH_COLUMNS)} from batches where account_id = ${accountId} and source = ${source} and external_ref = ${externalRef}`,
  );
  const batch = toBatchView(existing);
  if (batch.amount !== amount || batch.type !== type) throw new GrantConflictError(externalRef!);
  return { batch, created: false };
}
