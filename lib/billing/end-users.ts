import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { getBot } from "@/lib/bots/bots";
import { InvalidInputError, NotFoundError } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
import { getOrCreateEndUserAccount } from "@/lib/ledger/accounts";
import { grantBatch } from "@/lib/ledger/grant-batch";
import { Credits } from "@/lib/ledger/credits";
import type { BatchView } from "@/lib/ledger/batch-view";

export interface EndUserRow {
  id: string;
  externalId: string;
  email: string | null;
  /** µc the end user can spend now (their own credits; never the owner cap). */
  available: bigint;
  planName: string | null;
  planStatus: string | null;
  lastActivityAt: Date;
  createdAt: Date;
}

/** The end users of one bot with their remaining credits, plan and last activity, most recently active first. */
export async function listEndUsers(db: DbOrTx, input: { organizationId: string; botId: string; search?: string; limit?: number }): Promise<EndUserRow[]> {
  await getBot(db, input.organizationId, input.botId);
  const search = input.search?.trim() ? `%${input.search.trim().replace(/[%_\\]/g, (c) => `\\${c}`)}%` : null;
  const rows = (await db.execute(sql`
    select eu.id, eu.external_id, eu.email, eu.created_at, eu.last_seen_at,
           coalesce(c.available, 0)::text as available, s.plan_name, s.status as plan_status,
           greatest(eu.last_seen_at, c.last_grant) as last_activity_at
      from end_users eu
      left join accounts a on a.kind = 'end_user' and a.bot_id = eu.bot_id and a.end_user_id = eu.id
      left join lateral (
        select sum(b.remaining - b.held) filter (where b.voided_at is null and (b.expires_at is null or b.expires_at > now())) as available,
               max(b.added_at) as last_grant
          from batches b where b.account_id = a.id
      ) c on true
      left join lateral (
        select p.name as plan_name, sub.status from end_user_subscriptions sub join end_user_plans p on p.id = sub.plan_id
         where sub.end_user_id = eu.id order by (sub.status = 'active') desc, sub.created_at desc limit 1
      ) s on true
     where eu.bot_id = ${input.botId}
       and (${search}::text is null or eu.external_id ilike ${search} or eu.email ilike ${search})
     order by last_activity_at desc nulls last
     limit ${input.limit ?? 100}`)) as unknown as {
    id: string;
    external_id: string;
    email: string | null;
    created_at: string | Date;
    last_activity_at: string | Date;
    available: string;
    plan_name: string | null;
    plan_status: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    externalId: r.external_id,
    email: r.email,
    available: BigInt(r.available),
    planName: r.plan_name,
    planStatus: r.plan_status,
    lastActivityAt: new Date(r.last_activity_at),
    createdAt: new Date(r.created_at),
  }));
}

const MAX_PROMO = Credits.of(1_000_000);
const MAX_PROMO_DAYS = 3650;

/**
 * Promotional credits (SPEC §6): a `free` batch (source `promo`) with an expiry in the end user's own account
 * of this bot. Nothing comes out of the owner cap. `requestId` (e.g. a form's one-time id) makes a double
 * submit grant once.
 */
export async function givePromoCredits(
  db: DbOrTx,
  input: { organizationId: string; botId: string; endUserId: string; amount: bigint; expiresAt: Date; note?: string | null; givenByUserId?: string | null; requestId?: string; now?: Date },
): Promise<{ batch: BatchView; created: boolean }> {
  const bot = await getBot(db, input.organizationId, input.botId);
  if (!isUuid(input.endUserId)) throw new NotFoundError("End user");
  const [endUser] = (await db.execute(sql`select id from end_users where id = ${input.endUserId} and bot_id = ${bot.id}`)) as unknown as { id: string }[];
  if (!endUser) throw new NotFoundError("End user");
  if (input.amount <= 0n) throw new InvalidInputError("amount", "Give at least some credits");
  if (input.amount > MAX_PROMO) throw new InvalidInputError("amount", "At most 1,000,000 credits at once");
  const now = input.now ?? new Date();
  const days = (input.expiresAt.getTime() - now.getTime()) / 86_400_000;
  if (!(days > 0)) throw new InvalidInputError("expiresAt", "The expiry must be in the future");
  if (days > MAX_PROMO_DAYS) throw new InvalidInputError("expiresAt", "Promotional credits expire within 10 years");
  const account = await getOrCreateEndUserAccount(db, { organizationId: input.organizationId, botId: bot.id, endUserId: endUser.id });
  return grantBatch(db, {
    accountId: account.id,
    type: "free",
    source: "promo",
    amount: input.amount,
    expiresAt: input.expiresAt,
    externalRef: input.requestId ? `promo:${input.requestId}` : null,
    metadata: { given_by: input.givenByUserId ?? null, note: input.note?.trim() || null },
    now,
  });
}
