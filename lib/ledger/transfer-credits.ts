import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { InvalidInputError } from "@/lib/errors";
import { AccountNotFoundError, InsufficientCreditsError } from "./errors";
import { consumptionOrderSql } from "./consumption-order";
import { inTx, requireDate, requireOneOf, requirePositive, requireUuid, rows, toBig, toDateOrNull } from "./internal";
import { BATCH_SOURCES, BATCH_TYPES, type BatchSource, type BatchType } from "./types";

export interface TransferCreditsInput {
  fromAccountId: string;
  toAccountId: string;
  /** Micro-credits, > 0; at most what the source has available. */
  amount: bigint;
  /**
   * Expiry of the new batches: as chosen, but never later than each source batch's (null/undefined =
   * keep the source batch's expiry).
   */
  expiresAt?: Date | null;
  /** Type of the new batches; default: each source batch's type. */
  type?: BatchType;
  /**
   * Take only from source batches of these sources (still in consumption order), e.g. `["assignment"]`
   * to reclaim what an agency assigned without touching credits the sub-account bought itself.
   */
  sources?: BatchSource[];
  note?: string;
  now?: Date;
}

export interface TransferCreditsResult {
  transferId: string;
  amount: bigint;
  /** transfer_out per source batch, in consumption order. */
  outflows: { batchId: string; amount: bigint }[];
  /** The new batches (source `assignment`) on the destination. */
  created: { batchId: string; originBatchId: string; type: BatchType; amount: bigint; expiresAt: Date | null }[];
}

/**
 * Moves credits between accounts (agency ⇄ sub-account, SPEC §8, §17 ex. 5): `transfer_out` on the
 * source's batches in consumption order, one new batch per source batch on the destination with a
 * `transfer_in` entry. Conserves credits; keeps or shortens expiry. One transaction.
 */
export async function transferCredits(db: DbOrTx, input: TransferCreditsInput): Promise<TransferCreditsResult> {
  const from = requireUuid(input.fromAccountId, "fromAccountId");
  const to = requireUuid(input.toAccountId, "toAccountId");
  if (from === to) throw new InvalidInputError("toAccountId", "toAccountId must differ from fromAccountId");
  const amount = requirePositive(input.amount, "amount");
  const type = input.type === undefined ? undefined : requireOneOf(input.type, BATCH_TYPES, "type");
  const sources = input.sources === undefined ? null : input.sources.map((s) => requireOneOf(s, BATCH_SOURCES, "sources"));
  if (sources && sources.length === 0) throw new InvalidInputError("sources", "sources must name at least one batch source");
  const chosen = input.expiresAt == null ? null : requireDate(input.expiresAt, "expiresAt");
  const now = input.now ? requireDate(input.now, "now") : new Date();
  if (chosen && chosen.getTime() <= now.getTime()) throw new InvalidInputError("expiresAt", "expiresAt must be in the future");
  const nowIso = now.toISOString();

  return inTx(db, async (tx) => {
    const locked = await rows<{ id: string }>(
      tx,
      sql`select id from accounts where id in (${from}, ${to}) order by id for no key update`,
    );
    for (const id of [from, to]) if (!locked.some((r) => r.id === id)) throw new AccountNotFoundError(id);

    const usable = await rows<{ id: string; type: BatchType; free: string; expires_at: string | null }>(
      tx,
      sql`select b.id, b.type, b.remaining - b.held as free, b.expires_at from batches b
           where b.account_id = ${from} and b.remaining > b.held and b.voided_at is null and b.added_at <= ${nowIso}::timestamptz
             and (b.expires_at is null or b.expires_at > ${nowIso}::timestamptz)
             ${sources ? sql`and b.source::text in (${sql.join(sources.map((s) => sql`${s}`), sql`, `)})` : sql``}
           order by ${sql.raw(consumptionOrderSql("b"))}`,
    );
    const available = usable.reduce((s, b) => s + toBig(b.free), 0n);
    if (available < amount) throw new InsufficientCreditsError(from, amount - available, available, amount);

    const transferId = randomUUID();
    const outflows: TransferCreditsResult["outflows"] = [];
    const created: TransferCreditsResult["created"] = [];
    let need = amount;
    for (const b of usable) {
      if (need === 0n) break;
      const take = toBig(b.free) < need ? toBig(b.free) : need;
      need -= take;
      const srcExp = toDateOrNull(b.expires_at);
      const exp = srcExp === null ? chosen : chosen === null ? srcExp : chosen < srcExp ? chosen : srcExp;
      const newType = type ?? b.type;
      await tx.execute(sql`update batches set remaining = remaining - ${take.toString()}::bigint where id = ${b.id}`);
      const [nb] = await rows<{ id: string }>(
        tx,
        sql`with ins as (
              insert into batches (account_id, type, source, amount, remaining, added_at, expires_at, origin_batch_id, metadata)
              values (${to}, ${newType}, 'assignment', ${take.toString()}::bigint, ${take.toString()}::bigint, ${nowIso}::timestamptz,
                      ${exp ? exp.toISOString() : null}::timestamptz, ${b.id}, ${JSON.stringify({ transfer_id: transferId })}::jsonb)
              returning id
            ), e as (
              insert into ledger_entries (account_id, batch_id, kind, remaining_delta, transfer_id, note, created_at)
              values (${from}, ${b.id}, 'transfer_out', ${(-take).toString()}::bigint, ${transferId}, ${input.note ?? null}, ${nowIso}::timestamptz),
                     (${to}, (select id from ins), 'transfer_in', ${take.toString()}::bigint, ${transferId}, ${input.note ?? null}, ${nowIso}::timestamptz)
            )
            select id from ins`,
      );
      outflows.push({ batchId: b.id, amount: take });
      created.push({ batchId: nb.id, originBatchId: b.id, type: newType, amount: take, expiresAt: exp });
    }
    return { transferId, amount, outflows, created };
  });
}
