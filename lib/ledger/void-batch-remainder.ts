import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { InvalidInputError } from "@/lib/errors";
import { BatchNotFoundError } from "./errors";
import { inTx, nowSql, requireDate, requireUuid, rows, toBig } from "./internal";

/**
 * Refund/dispute (SPEC §6): voids the batch's unspent, unheld remainder with a `void` entry and marks
 * the batch voided (no longer spendable; what an open hold still earmarks is voided when released;
 * a capture of it still goes through). Spent credits stay spent. Idempotent: a second call voids 0.
 *
 * With `upTo` (a partial refund) it voids at most that much of the remainder and the batch stays
 * spendable: the rest of it is still the buyer's.
 */
export async function voidBatchRemainder(
  db: DbOrTx,
  input: { batchId: string; upTo?: bigint; reason?: string; now?: Date },
): Promise<{ batchId: string; voided: bigint }> {
  const batchId = requireUuid(input.batchId, "batchId");
  const now = input.now ? requireDate(input.now, "now") : undefined;
  const upTo = input.upTo;
  if (upTo !== undefined && upTo < 0n) throw new InvalidInputError("upTo", "upTo must not be negative");
  return inTx(db, async (tx) => {
    const [b] = await rows<{ account_id: string }>(tx, sql`select account_id from batches where id = ${batchId}`);
    if (!b) throw new BatchNotFoundError(batchId);
    await tx.execute(sql`select id from accounts where id = ${b.account_id} for no key update`);
    const [row] = await rows<{ amt: string; voided_at: string | null }>(
      tx,
      sql`select remaining - held as amt, voided_at from batches where id = ${batchId} for update`,
    );
    const unheld = toBig(row.amt);
    const amt = upTo !== undefined && upTo < unheld ? upTo : unheld;
    await tx.execute(
      upTo === undefined
        ? sql`update batches set remaining = remaining - ${amt.toString()}::bigint, voided_at = coalesce(voided_at, ${nowSql(now)}) where id = ${batchId}`
        : sql`update batches set remaining = remaining - ${amt.toString()}::bigint where id = ${batchId}`,
    );
    if (amt > 0n) {
      await tx.execute(
        sql`insert into ledger_entries (account_id, batch_id, kind, remaining_delta, note, created_at)
            values (${b.account_id}, ${batchId}, 'void', ${(-amt).toString()}::bigint, ${input.reason ?? null}, ${nowSql(now)})`,
      );
    }
    return { batchId, voided: amt };
  });
}
