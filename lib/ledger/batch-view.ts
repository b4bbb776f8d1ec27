import type { BatchSource, BatchType } from "./types";
import { toBig, toDate, toDateOrNull } from "./internal";

/** A batch as the ledger reports it (Active Credits rows). */
export interface BatchView {
  id: string;
  accountId: string;
  type: BatchType;
  source: BatchSource;
  amount: bigint;
  remaining: bigint;
  held: bigint;
  addedAt: Date;
  expiresAt: Date | null;
  priority: number | null;
  externalRef: string | null;
  originBatchId: string | null;
  voidedAt: Date | null;
  metadata: Record<string, unknown>;
  seq: bigint;
}

export const BATCH_COLUMNS =
  "id, account_id, type, source, amount, remaining, held, added_at, expires_at, priority, external_ref, origin_batch_id, voided_at, metadata, seq";

export interface BatchRow {
  id: string;
  account_id: string;
  type: BatchType;
  source: BatchSource;
  amount: string;
  remaining: string;
  held: string;
  added_at: string;
  expires_at: string | null;
  priority: number | null;
  external_ref: string | null;
  origin_batch_id: string | null;
  voided_at: string | null;
  metadata: unknown;
  seq: string;
}

export function toBatchView(r: BatchRow): BatchView {
  return {
    id: r.id,
    accountId: r.account_id,
    type: r.type,
    source: r.source,
    amount: toBig(r.amount),
    remaining: toBig(r.remaining),
    held: toBig(r.held),
    addedAt: toDate(r.added_at),
    expiresAt: toDateOrNull(r.expires_at),
    priority: r.priority,
    externalRef: r.external_ref,
    originBatchId: r.origin_batch_id,
    voidedAt: toDateOrNull(r.voided_at),
    metadata: (typeof r.metadata === "string" ? JSON.parse(r.metadata) : r.metadata) as Record<string, unknown>,
    seq: toBig(r.seq),
  };
}
