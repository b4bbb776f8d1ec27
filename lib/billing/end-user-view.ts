import { and, desc, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { bots, endUserPlans, endUserSubscriptions, endUsers, organizations } from "@/db/schema";
import { isUuid } from "@/lib/ids";
import { getOrCreateEndUserAccount } from "@/lib/ledger/accounts";
import { getBalance } from "@/lib/ledger/get-balance";
import type { BatchView } from "@/lib/ledger/batch-view";
import { verifyEndUserToken } from "./end-user-link";
import type { FulfilResult, Order } from "./fulfil";
import { summarizePurchase, type PurchaseSummary } from "./purchase-summary";

export interface PublicBot {
  id: string;
  name: string;
  organizationId: string;
  /** False while the bot's organization is suspended: checkout refuses it (SellerSuspendedError), so the pages offer no buying. */
  buyingAvailable: boolean;
}

/** What the public end-user pages may know about a bot: its name and whether it sells now. Archived or unknown → null. */
export async function getPublicBot(db: DbOrTx, botId: string): Promise<PublicBot | null> {
  if (!isUuid(botId)) return null;
  const [bot] = await db
    .select({ id: bots.id, name: bots.name, organizationId: bots.organizationId, organizationStatus: organizations.status })
    .from(bots)
    .innerJoin(organizations, eq(organizations.id, bots.organizationId))
    .where(and(eq(bots.id, botId), isNull(bots.archivedAt)))
    .limit(1);
  if (!bot) return null;
  return { id: bot.id, name: bot.name, organizationId: bot.organizationId, buyingAvailable: bot.organizationStatus !== "suspended" };
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

// ---- The success page after an end user's Checkout ----

export interface EndUserPurchaseView extends PurchaseSummary {
  /**
   * The end user's own credits, and the link to their account page: only for the holder of a signed link
   * naming this order's end user in this bot. The session id in the URL proves only that someone saw the
   * Checkout, so without the link the page shows what this payment did and nothing else.
   */
  yours: { available: bigint; token: string } | null;
}

/** Whether a signed link names this order's buyer in this bot (missing, forged, expired, another bot's or another end user's: no). */
export function linkNamesBuyer(token: string | null | undefined, secret: string, order: Pick<Order, "botId" | "endUserId">, now?: Date): boolean {
  if (!order.botId || !order.endUserId) return false;
  const link = verifyEndUserToken(token, secret, { botId: order.botId, now });
  return link.ok && link.endUserId === order.endUserId;
}

/**
 * The success page's view of an end user's purchase in this bot; null when the result is no end-user
 * order of this bot (the page then says it cannot find the purchase).
 */
export async function getEndUserPurchaseView(
  db: DbOrTx,
  input: { bot: Pick<PublicBot, "id" | "organizationId">; result: FulfilResult | null; token?: string | null; secret: string; now?: Date },
): Promise<EndUserPurchaseView | null> {
  const order = input.result?.order;
  if (!input.result || !order || order.botId !== input.bot.id || order.organizationId !== input.bot.organizationId || order.buyerKind !== "end_user") return null;
  const summary = await summarizePurchase(db, { ...input.result, order });
  const yours = linkNamesBuyer(input.token, input.secret, order, input.now)
    ? { available: (await getBalance(db, order.accountId, { now: input.now })).available, token: input.token! }
    : null;
  return { ...summary, yours };
}
