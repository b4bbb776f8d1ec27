import { and, desc, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { bots, endUserPlans, endUserSubscriptions, endUsers } from "@/db/schema";
import { isUuid } from "@/lib/ids";
import { getOrCreateEndUserAccount } from "@/lib/ledger/accounts";
import { getBalance } from "@/lib/ledger/get-balance";
import type { BatchView } from "@/lib/ledger/batch-view";

/** What the public end-user pages may know about a bot: its name. Archived or unknown → null. */
export async function getPublicBot(db: DbOrTx, botId: string): Promise<{ id: string; name: string; organizationId: string } | null> {
  if (!isUuid(botId)) return null;
  const [bot] = await db
    .select({ id: bots.id, name: bots.name, organizationId: bots.organizationId })
    .from(bots)
    .where(and(eq(bots.id, botId), isNull(bots.archivedAt)))
    .limit(1);
  return bot ?? null;
}

export interface EndUserPlanView {
  name: string;
  status: string;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  creditsPerPeriod: bigint;
  rollover: boolean;
  interval: string;
}

export interface EndUserOverview {
  externalId: string;
  /** µc the end user can spend now (remaining − held, live batches). */
  available: bigint;
  batches: BatchView[];
  plans: EndUserPlanView[];
}

/** The end user's credits in this bot (their own account; never the owner's pool), batches with expiry, and plans. */
export async function getEndUserOverview(db: DbOrTx, input: { organizationId: string; botId: string; endUserId: string }): Promise<EndUserOverview | null> {
  const [endUser] = await db.select().from(endUsers).where(and(eq(endUsers.id, input.endUserId), eq(endUsers.botId, input.botId))).limit(1);
  if (!endUser) return null;
  const account = await getOrCreateEndUserAccount(db, input);
  const balance = await getBalance(db, account.id);
  const plans = await db
    .select({
      name: endUserPlans.name,
      status: endUserSubscriptions.status,
      currentPeriodEnd: endUserSubscriptions.currentPeriodEnd,
      cancelAtPeriodEnd: endUserSubscriptions.cancelAtPeriodEnd,
      creditsPerPeriod: endUserSubscriptions.creditsPerPeriod,
      rollover: endUserSubscriptions.rollover,
      interval: endUserPlans.interval,
    })
    .from(endUserSubscriptions)
    .innerJoin(endUserPlans, eq(endUserPlans.id, endUserSubscriptions.planId))
    .where(eq(endUserSubscriptions.endUserId, endUser.id))
    .orderBy(desc(endUserSubscriptions.createdAt));
  return { externalId: endUser.externalId, available: balance.available, batches: balance.batches, plans };
}
