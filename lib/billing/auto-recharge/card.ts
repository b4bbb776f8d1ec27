import { and, eq, isNull } from "drizzle-orm";
import type Stripe from "stripe";
import type { DbOrTx } from "@/db/client";
import { billingCustomers } from "@/db/schema";
import { getOrCreateOrgCustomer } from "../customers";
import { getStripe } from "../stripe";
import { resumeAutoRecharge } from "./recharge";
import { assertBuysFromPlatform, getAutoRecharge, saveCard } from "./settings";

/** Checkout in `setup` mode: the owner saves a card for off-session recharges (SPEC §7). */
export async function createCardSetupCheckout(
  db: DbOrTx,
  organizationId: string,
  urls: { successUrl: string; cancelUrl: string },
  stripe: Stripe = getStripe(),
): Promise<{ url: string; sessionId: string }> {
  await assertBuysFromPlatform(db, organizationId);
  const customer = await getOrCreateOrgCustomer(db, organizationId, stripe);
  const session = await stripe.checkout.sessions.create({
    mode: "setup",
    customer,
    currency: "usd",
    success_url: urls.successUrl,
    cancel_url: urls.cancelUrl,
    metadata: { creditdesk_kind: "card_setup", organization_id: organizationId },
  });
  return { url: session.url!, sessionId: session.id };
}

/** The organization a Stripe customer belongs to (its own customer, not an end user's). */
async function organizationOfCustomer(db: DbOrTx, customerId: string): Promise<string | null> {
  const [row] = await db
    .select({ organizationId: billingCustomers.organizationId })
    .from(billingCustomers)
    .where(and(eq(billingCustomers.stripeCustomerId, customerId), isNull(billingCustomers.endUserId)))
    .limit(1);
  return row?.organizationId ?? null;
}

/**
 * Stores a saved card as the organization's recharge card and the customer's default, then puts it to work:
 * a recharge that was declined or waits for 3-D Secure is paid with it at once (seed 004: "as soon as you
 * resolve the payment problem"). Called from the return page and from the setup_intent.succeeded webhook;
 * whichever comes second finds the card already saved and does nothing more.
 */
export async function saveCardFromSetupIntent(db: DbOrTx, setupIntent: Stripe.SetupIntent | string, stripe: Stripe = getStripe()): Promise<{ organizationId: string; last4: string | null } | null> {
  const intent = typeof setupIntent === "string" ? await stripe.setupIntents.retrieve(setupIntent) : setupIntent;
  const customerId = typeof intent.customer === "string" ? intent.customer : intent.customer?.id;
  const paymentMethodId = typeof intent.payment_method === "string" ? intent.payment_method : intent.payment_method?.id;
  if (!customerId || !paymentMethodId || intent.status !== "succeeded") return null;
  const organizationId = await organizationOfCustomer(db, customerId);
  if (!organizationId) return null;
  const pm = await stripe.paymentMethods.retrieve(paymentMethodId);
  if ((await getAutoRecharge(db, organizationId))?.paymentMethodId === paymentMethodId) return { organizationId, last4: pm.card?.last4 ?? null };
  await stripe.customers.update(customerId, { invoice_settings: { default_payment_method: paymentMethodId } });
  await saveCard(db, organizationId, {
    paymentMethodId,
    brand: pm.card?.brand ?? null,
    last4: pm.card?.last4 ?? null,
    expMonth: pm.card?.exp_month ?? null,
    expYear: pm.card?.exp_year ?? null,
  });
  // The card is saved whatever happens next; a payment Stripe cannot take right now is left to the sweep.
  await resumeAutoRecharge(db, organizationId, { trigger: "card_saved", stripe }).catch((e) => console.error("[auto-recharge] charging the new card failed", e));
  return { organizationId, last4: pm.card?.last4 ?? null };
}

/** The return page of the setup Checkout: the session names the setup intent. */
export async function saveCardFromSession(db: DbOrTx, organizationId: string, sessionId: string, stripe: Stripe = getStripe()) {
  const session = await stripe.checkout.sessions.retrieve(sessionId, { expand: ["setup_intent"] });
  if (session.mode !== "setup" || session.metadata?.organization_id !== organizationId || !session.setup_intent) return null;
  return saveCardFromSetupIntent(db, session.setup_intent as Stripe.SetupIntent | string, stripe);
}
