import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { inTx, nowSql, requireDate, rows, toBig } from "./internal";

/**
 * Job: writes one `expire` entry for the unheld remainder of every batch past its expiry (SPEC §4–§5:
 * what holds earmark stays until the hold resolves) and marks the batch processed (`expired_at`), with
 * or without a remainder, so that it leaves the job's index. One transaction per call, up to `limit`
 * accounts; accounts are locked in id order first, like every ledger writer, so it never deadlocks with
 * debits. `expired` counts the batches that lost credits, `accounts` the accounts processed (a page is
 * full when it equals `limit`: more may be due).
 */
export async function expireBatches(
  db: DbOrTx,
  options: { now?: Date; limit?: number } = {},
): Promise<{ expired: number; amount: bigint; accounts: number }> {
  const now = options.now ? requireDate(options.now, "now") : undefined;
  const limit = options.limit ?? 1000;
  return inTx(db, async (tx) => {
    const locked = await rows<{ id: string }>(
      tx,
      sql`select id from accounts where id in (
             select distinct account_id from batches
              where expires_at <= ${nowSql(now)} and expired_at is null order by account_id limit ${limit})
           order by id for no key update`,
    );
    if (locked.length === 0) return { expired: 0, amount: 0n, accounts: 0 };
    const ids = locked.map((r) => r.id);
    const done = await rows<{ n: string; total: string | null }>(
      tx,
      sql`with due as (
            select id, account_id, remaining - held as amt from batches
             where account_id in (${sql.join(ids.map((i) => sql`${i}::uuid`), sql`, `)})
               and expires_at <= ${nowSql(now)} and expired_at is null
          ), upd as (
            update batches b set remaining = b.remaining - due.amt, expired_at = ${nowSql(now)} from due where b.id = due.id
            returning b.id, b.account_id, due.amt
          ), ent as (
            insert into ledger_entries (account_id, batch_id, kind, remaining_delta, created_at)
            select account_id, id, 'expire', -amt, ${nowSql(now)} from upd where amt > 0
          )
          select count(*) filter (where amt > 0)::text as n, sum(amt)::text as total from upd`,
    );
    return { expired: Number(done[0].n), amount: toBig(done[0].total), accounts: locked.length };
  });
}
