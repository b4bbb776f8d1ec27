import type { DbOrTx } from "@/db/client";
import { findOrCreateEndUser, getBot, type Bot } from "@/lib/bots/bots";
import { InvalidInputError } from "@/lib/errors";
import { getOrCreateEndUserAccount, getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import type { UsageActor, UsageCategory, UsagePool } from "@/lib/ledger/types";

export type MeteringActor = Exclude<UsageActor, "system">;

export interface Route {
  bot: Bot;
  accountId: string;
  pool: UsagePool;
  actor: MeteringActor;
  endUserId: string | null;
  endUserExternalId: string | null;
}

/**
 * SPEC §3: operator → the owner pool; free visitor → the free reserve (checked by the caller), paid from
 * the owner pool; paying visitor → that end user's own credits in this bot, never the owner pool.
 * Training (the owner's know-how) is always the owner pool. A bot draws on its own organization's pool,
 * so a sub-account's bots use the sub-account's credits.
 */
export async function routeToPool(
  db: DbOrTx,
  input: { organizationId: string; botId: string; actor: MeteringActor; endUserExternalId?: string | null; category?: UsageCategory | null },
): Promise<Route> {
  const bot = await getBot(db, input.organizationId, input.botId);
  const externalId = input.endUserExternalId ?? null;
  if (input.actor !== "operator" && !externalId) {
    throw new InvalidInputError("end_user_id", `end_user_id is required when actor is ${input.actor}`);
  }
  const endUser = externalId ? await findOrCreateEndUser(db, bot.id, externalId) : null;

  if (input.actor === "paying_visitor" && input.category !== "training") {
    const account = await getOrCreateEndUserAccount(db, { organizationId: bot.organizationId, botId: bot.id, endUserId: endUser!.id });
    return { bot, accountId: account.id, pool: "end_user", actor: input.actor, endUserId: endUser!.id, endUserExternalId: externalId };
  }
  const account = await getOrCreateOrgAccount(db, bot.organizationId);
  const pool: UsagePool = input.actor === "free_visitor" && input.category !== "training" ? "free_reserve" : "owner";
  return { bot, accountId: account.id, pool, actor: input.actor, endUserId: endUser?.id ?? null, endUserExternalId: externalId };
}
