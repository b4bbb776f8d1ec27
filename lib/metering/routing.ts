import { eq } from "drizzle-orm";
import { isTransaction, type DbOrTx } from "@/db/client";
import { organizations } from "@/db/schema";
import { OrganizationSuspendedError } from "./errors";
import { findOrCreateEndUser, getBot, type Bot } from "@/lib/bots/bots";
import { InvalidInputError } from "@/lib/errors";
import { getOrCreateEndUserAccount, getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { sharedCache } from "./ttl-cache";
import type { UsageActor, UsageCategory, UsagePool } from "@/lib/ledger/types";

// Account ids never change once created: remember them for the hot path.
const accountIds = sharedCache<string>("account-ids", 60 * 60 * 1000, 100_000);

async function orgAccountId(db: DbOrTx, organizationId: string): Promise<string> {
  if (isTransaction(db)) return accountIds.get(`org:${organizationId}`) ?? (await getOrCreateOrgAccount(db, organizationId)).id;
  return accountIds.getOrLoad(`org:${organizationId}`, async () => (await getOrCreateOrgAccount(db, organizationId)).id);
}

async function endUserAccountId(db: DbOrTx, input: { organizationId: string; botId: string; endUserId: string }): Promise<string> {
  if (isTransaction(db)) return accountIds.get(`eu:${input.botId}:${input.endUserId}`) ?? (await getOrCreateEndUserAccount(db, input)).id;
  return accountIds.getOrLoad(`eu:${input.botId}:${input.endUserId}`, async () => (await getOrCreateEndUserAccount(db, input)).id);
}

// An agency can suspend a sub-account: its bots stop. Checked on every call, so cached briefly.
const orgStatus = sharedCache<"active" | "suspended">("org-status", 5_000, 100_000);

/** Called when an agency suspends or reactivates a sub-account, so this process sees it at once. */
export function forgetOrganizationStatus(organizationId: string): void {
  orgStatus.delete(organizationId);
}

async function assertActive(db: DbOrTx, organizationId: string): Promise<void> {
  const status = await orgStatus.getOrLoad(
    organizationId,
    async () => {
      const [org] = await db.select({ status: organizations.status }).from(organizations).where(eq(organizations.id, organizationId));
      return org?.status ?? "active";
    },
    { shareLoad: !isTransaction(db) },
  );
  if (status === "suspended") throw new OrganizationSuspendedError(organizationId);
}

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
  await assertActive(db, bot.organizationId);
  const externalId = input.endUserExternalId ?? null;
  if (input.actor !== "operator" && !externalId) {
    throw new InvalidInputError("end_user_id", `end_user_id is required when actor is ${input.actor}`);
  }
  const endUser = externalId ? await findOrCreateEndUser(db, bot.id, externalId) : null;

  if (input.actor === "paying_visitor" && input.category !== "training") {
    const accountId = await endUserAccountId(db, { organizationId: bot.organizationId, botId: bot.id, endUserId: endUser!.id });
    return { bot, accountId, pool: "end_user", actor: input.actor, endUserId: endUser!.id, endUserExternalId: externalId };
  }
  const accountId = await orgAccountId(db, bot.organizationId);
  const pool: UsagePool = input.actor === "free_visitor" && input.category !== "training" ? "free_reserve" : "owner";
  return { bot, accountId, pool, actor: input.actor, endUserId: endUser?.id ?? null, endUserExternalId: externalId };
}
