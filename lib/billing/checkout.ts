import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { bots, endUsers, orders, organizations } from "@/db/schema";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { getOrCreateEndUserAccount, getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { Credits } from "@/lib/ledger/credits";
import { getOrCreateEndUserCustomer, getOrCreateOrgCustomer } from "./customers";
import { SellerSuspendedError } from "./errors";
import { getPack, getPlan } from "./offers";
import { getStripe } from "./stripe";

/** Who pays: an organization (owner buying platform packs, sub-account buying agency packs) or one end user of a bot. */
export type Buyer = { kind: "organization"; organizationId: string } | { kind: "end_user"; botId: string; endUserId: string };

export interface CheckoutUrls {
  /** Must contain `{CHECKOUT_SESSION_ID}` so the success page can fulfil. */
  successUrl: string;
  cancelUrl: string;
}

export interface StartedCheckout {
  orderId: string;
  sessionId: string;
  /** The hosted Checkout page to send the buyer to. */
  url: string;
}

/** Metadata keys we put on Checkout Sessions, payment intents and subscriptions (the webhook finds the order by them). */
export const META = { orderId: "order_id", kind: "creditdesk_kind", planId: "plan_id", botId: "bot_id", endUserId: "end_user_id", organizationId: "organization_id" } as const;

/**
 * Opens the Checkout Session of a pending order and links them; if Stripe refuses, the order records
 * why (payment_failed) and the error goes to the caller.
 */
async function openSession(db: Db, orderId: string, create: () => Promise<Stripe.Checkout.Session>): Promise<StartedCheckout> {
  try {
    const session = await create();
    await db.update(orders).set({ stripeCheckoutSessionId: session.id, updatedAt: sql`now()` }).where(eq(orders.id, orderId));
    return { orderId, sessionId: session.id, url: session.url! };
  } catch (error) {
    await db
      .update(orders)
      .set({ status: "payment_failed", lastError: error instanceof Error ? error.message : String(error), updatedAt: sql`now()` })
      .where(eq(orders.id, orderId));
    throw error;
  }
}

/**
 * The bot an end user buys for, and its organization. A suspended organization's bots are refused every
 * answer (metering), so selling its visitors credits would take money for nothing: refused before any
 * order or Checkout exists.
 */
async function endUserContext(db: Db, botId: string, endUserId: string) {
  const [row] = await db
    .select({ organizationId: bots.organizationId, botName: bots.name, archivedAt: bots.archivedAt, organizationStatus: organizations.status })
    .from(endUsers)
    .innerJoin(bots, eq(bots.id, endUsers.botId))
    .innerJoin(organizations, eq(organizations.id, bots.organizationId))
    .where(sql`${endUsers.id} = ${endUserId} and ${endUsers.botId} = ${botId}`)
    .limit(1);
  if (!row || row.archivedAt) throw new NotFoundError("End user");
  if (row.organizationStatus === "suspended") throw new SellerSuspendedError(botId);
  return row;
}

/**
 * Starts a one-time purchase of a pack: records a pending order (terms copied from the pack), then opens a
 * Checkout Session (mode=payment, with an invoice) whose metadata names the order. Stripe is called after the
 * order is committed; a failure leaves the order `payment_failed` with the reason.
 */
export async function createPackCheckout(db: Db, input: { packId: string; buyer: Buyer } & CheckoutUrls, stripe: Stripe = getStripe()): Promise<StartedCheckout> {
  const pack = await getPack(db, input.packId);
  if (pack.status !== "active") throw new ConflictError("pack_archived", "This pack is no longer sold");
  const { buyer } = input;
  let organizationId: string;
  let accountId: string;
  let customerId: string;
  let botId: string | null = null;
  let endUserId: string | null = null;
  if (buyer.kind === "organization") {
    const [org] = await db.select().from(organizations).where(eq(organizations.id, buyer.organizationId)).limit(1);
    if (!org) throw new NotFoundError("Organization");
    const allowed =
      (pack.audience === "platform_to_owner" && !org.parentId) || (pack.audience === "agency_to_sub_account" && org.parentId === pack.ownerOrganizationId);
    if (!allowed) throw new NotFoundError("Pack");
    organizationId = org.id;
    accountId = (await getOrCreateOrgAccount(db, org.id)).id;
    customerId = await getOrCreateOrgCustomer(db, org.id, stripe);
  } else {
    if (pack.audience !== "org_to_end_user" || pack.botId !== buyer.botId) throw new NotFoundError("Pack");
    const ctx = await endUserContext(db, buyer.botId, buyer.endUserId);
    organizationId = ctx.organizationId;
    botId = buyer.botId;
    endUserId = buyer.endUserId;
    accountId = (await getOrCreateEndUserAccount(db, { organizationId, botId, endUserId })).id;
    customerId = await getOrCreateEndUserCustomer(db, { organizationId, botId, endUserId }, stripe);
  }
  const [order] = await db
    .insert(orders)
    .values({
      kind: "pack",
      organizationId,
      sellerOrganizationId: pack.ownerOrganizationId,
      buyerKind: buyer.kind,
      botId,
      endUserId,
      accountId,
      packId: pack.id,
      description: pack.name,
      amountMinor: pack.priceMinor,
      currency: pack.currency,
      credits: pack.credits,
      bonusCredits: pack.bonusCredits,
      bonusExpiresInDays: pack.bonusExpiresInDays,
      stripeCustomerId: customerId,
    })
    .returning();
  const metadata = { [META.orderId]: order.id, [META.kind]: "pack", ...(botId ? { [META.botId]: botId, [META.endUserId]: endUserId! } : {}), [META.organizationId]: organizationId };
  const creditsText = `${Credits.format(pack.credits)} credits${pack.bonusCredits > 0n ? ` + ${Credits.format(pack.bonusCredits)} bonus credits` : ""}`;
  return openSession(db, order.id, () =>
    stripe.checkout.sessions.create(
      {
        mode: "payment",
        customer: customerId,
        client_reference_id: order.id,
        line_items: [{ quantity: 1, price_data: { currency: pack.currency, unit_amount: pack.priceMinor, product_data: { name: `${pack.name} (${creditsText})` } } }],
        invoice_creation: { enabled: true, invoice_data: { description: creditsText, metadata } },
        payment_intent_data: { metadata, description: `${pack.name}: ${creditsText}` },
        metadata,
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
      },
      { idempotencyKey: `checkout-${order.id}` },
    ),
  );
}

/**
 * Starts an end-user plan: a pending order for the first period, then a Checkout Session in subscription
 * mode with the plan's price inline; the subscription's metadata names plan, bot, end user and order so every
 * later invoice can be credited without the session (renewals, out-of-order delivery).
 */
export async function createPlanCheckout(
  db: Db,
  input: { planId: string; botId: string; endUserId: string } & CheckoutUrls,
  stripe: Stripe = getStripe(),
): Promise<StartedCheckout> {
  const plan = await getPlan(db, input.planId);
  if (plan.botId !== input.botId) throw new NotFoundError("Plan");
  if (plan.status !== "active") throw new ConflictError("plan_archived", "This plan is no longer offered");
  const ctx = await endUserContext(db, input.botId, input.endUserId);
  const organizationId = ctx.organizationId;
  const account = await getOrCreateEndUserAccount(db, { organizationId, botId: input.botId, endUserId: input.endUserId });
  const customerId = await getOrCreateEndUserCustomer(db, { organizationId, botId: input.botId, endUserId: input.endUserId }, stripe);
  const [order] = await db
    .insert(orders)
    .values({
      kind: "plan",
      organizationId,
      sellerOrganizationId: organizationId,
      buyerKind: "end_user",
      botId: input.botId,
      endUserId: input.endUserId,
      accountId: account.id,
      planId: plan.id,
      description: plan.name,
      amountMinor: plan.priceMinor,
      currency: plan.currency,
      credits: plan.creditsPerPeriod,
      stripeCustomerId: customerId,
    })
    .returning();
  const metadata = {
    [META.orderId]: order.id,
    [META.kind]: "plan",
    [META.planId]: plan.id,
    [META.botId]: input.botId,
    [META.endUserId]: input.endUserId,
    [META.organizationId]: organizationId,
  };
  return openSession(db, order.id, () =>
    stripe.checkout.sessions.create(
      {
        mode: "subscription",
        customer: customerId,
        client_reference_id: order.id,
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: plan.currency,
              unit_amount: plan.priceMinor,
              recurring: { interval: plan.interval },
              product_data: { name: `${plan.name} (${Credits.format(plan.creditsPerPeriod)} credits per ${plan.interval})` },
            },
          },
        ],
        subscription_data: { metadata, description: plan.name },
        metadata,
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
      },
      { idempotencyKey: `checkout-${order.id}` },
    ),
  );
}
