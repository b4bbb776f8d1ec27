import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import type { Bot } from "@/lib/bots/bots";
import { FreeReserveExhaustedError } from "./errors";

/** The free reserve runs per calendar month (UTC); the per-visitor limit per UTC day. */
export function reservePeriodStart(now: Date): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}-01`;
}

export function reserveDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export interface FreeReserveClaim {
  periodStart: string;
  day: string;
  amount: string;
}

/**
 * Takes one free answer of `amount` µc from the bot's reserve for this visitor, atomically (conditional
 * updates, no read-then-write race). Call inside the same transaction as the hold/debit it pays for,
 * so a refused debit gives the claim back by rolling back.
 */
export async function claimFreeReserve(tx: DbOrTx, bot: Bot, endUserId: string, amount: bigint, now: Date): Promise<FreeReserveClaim> {
  const periodStart = reservePeriodStart(now);
  const day = reserveDay(now);
  if (bot.freeAnswersPerVisitorPerDay <= 0) throw new FreeReserveExhaustedError(bot.id, "visitor_daily_limit");
  const visitor = await tx.execute(sql`
    insert into free_visitor_daily (bot_id, end_user_id, day, answers) values (${bot.id}, ${endUserId}, ${day}, 1)
    on conflict (bot_id, end_user_id, day) do update set answers = free_visitor_daily.answers + 1
      where free_visitor_daily.answers < ${bot.freeAnswersPerVisitorPerDay}
    returning answers`);
  if (visitor.length === 0) throw new FreeReserveExhaustedError(bot.id, "visitor_daily_limit");

  await tx.execute(sql`insert into free_reserve_usage (bot_id, period_start) values (${bot.id}, ${periodStart}) on conflict do nothing`);
  const reserve = await tx.execute(sql`
    update free_reserve_usage set used = used + ${amount.toString()}::bigint, answers = answers + 1
     where bot_id = ${bot.id} and period_start = ${periodStart} and used + ${amount.toString()}::bigint <= ${bot.freeReservePerPeriod.toString()}::bigint
    returning used`);
  if (reserve.length === 0) throw new FreeReserveExhaustedError(bot.id, "period_reserve");
  return { periodStart, day, amount: amount.toString() };
}

/** After capture or release: the reserve counts what was actually charged; a released answer is given back. */
export async function settleFreeReserve(
  db: DbOrTx,
  input: { botId: string; endUserId: string; claim: FreeReserveClaim; charged: bigint; answerHappened: boolean },
): Promise<void> {
  const delta = input.charged - BigInt(input.claim.amount);
  const answers = input.answerHappened ? 0 : -1;
  await db.execute(sql`
    update free_reserve_usage set used = greatest(0, used + ${delta.toString()}::bigint), answers = greatest(0, answers + ${answers})
     where bot_id = ${input.botId} and period_start = ${input.claim.periodStart}`);
  if (!input.answerHappened) {
    await db.execute(sql`
      update free_visitor_daily set answers = greatest(0, answers - 1)
       where bot_id = ${input.botId} and end_user_id = ${input.endUserId} and day = ${input.claim.day}`);
  }
}

/**
 * A free visitor's hold that expired unused gives its reserve claim back (the answer never happened),
 * as a release does. Each hold is settled once: it is marked in the same transaction.
 */
export async function settleExpiredFreeHolds(db: Db, limit = 500): Promise<number> {
  return db.transaction(async (tx) => {
    const settled = await tx.execute<{ metadata: { bot_id: string; end_user_id: string; free_reserve: FreeReserveClaim } }>(sql`
      update holds set metadata = metadata || '{"free_reserve_settled": true}'::jsonb
       where id in (select id from holds
                     where status = 'expired' and (metadata -> 'free_reserve') is not null and (metadata ->> 'free_reserve_settled') is null
                     limit ${limit} for update skip locked)
      returning metadata`);
    for (const { metadata } of settled) {
      await settleFreeReserve(tx, { botId: metadata.bot_id, endUserId: metadata.end_user_id, claim: metadata.free_reserve, charged: 0n, answerHappened: false });
    }
    return settled.length;
  });
}
