import { eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import type { Db } from "@/db/client";
import { stripeEvents } from "@/db/schema";
import { handleChargeDisputeCreated } from "./charge-dispute-created";
import { handleChargeRefunded } from "./charge-refunded";
import { handleCheckoutSessionAsyncPaymentFailed } from "./checkout-session-async-payment-failed";
import { handleCheckoutSessionAsyncPaymentSucceeded } from "./checkout-session-async-payment-succeeded";
import { handleCheckoutSessionCompleted } from "./checkout-session-completed";
import { handleCheckoutSessionExpired } from "./checkout-session-expired";
import { handleCustomerSubscriptionDeleted } from "./customer-subscription-deleted";
import { handleCustomerSubscriptionUpdated } from "./customer-subscription-updated";
import { handleInvoicePaid } from "./invoice-paid";
import { handleInvoicePaymentFailed } from "./invoice-payment-failed";
import { handlePaymentIntentPaymentFailed } from "./payment-intent-payment-failed";
import { handleSetupIntentSucceeded } from "./setup-intent-succeeded";
import type { WebhookHandler } from "./types";

/**
 * Event type → its handler (one file each). Types not listed are acknowledged (2xx) and recorded as no-ops.
 * Issue 7 adds its own (setup_intent.succeeded, payment_intent.succeeded for auto-recharge, …) here.
 */
export const WEBHOOK_HANDLERS: Partial<Record<Stripe.Event.Type, WebhookHandler<never>>> = {
  "checkout.session.completed": handleCheckoutSessionCompleted,
  "checkout.session.async_payment_succeeded": handleCheckoutSessionAsyncPaymentSucceeded,
  "checkout.session.async_payment_failed": handleCheckoutSessionAsyncPaymentFailed,
  "checkout.session.expired": handleCheckoutSessionExpired,
  "invoice.paid": handleInvoicePaid,
  "invoice.payment_failed": handleInvoicePaymentFailed,
  "customer.subscription.updated": handleCustomerSubscriptionUpdated,
  "customer.subscription.deleted": handleCustomerSubscriptionDeleted,
  "charge.refunded": handleChargeRefunded,
  "charge.dispute.created": handleChargeDisputeCreated,
  "payment_intent.payment_failed": handlePaymentIntentPaymentFailed,
  "setup_intent.succeeded": handleSetupIntentSucceeded,
};

export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
}

/**
 * The whole webhook: verify the signature on the raw body (bad → 400, nothing written), record the event id
 * (unique), run its handler once, 2xx for duplicates / no-ops / unknown types, 500 when the handler failed so
 * Stripe retries (the event row stays unprocessed; a retry runs the idempotent handler again).
 */
export async function processStripeWebhook(
  db: Db,
  input: { rawBody: string; signature: string | null; secret: string; stripe: Stripe },
): Promise<WebhookResponse> {
  let event: Stripe.Event;
  try {
    if (!input.signature) throw new Error("missing Stripe-Signature header");
    event = input.stripe.webhooks.constructEvent(input.rawBody, input.signature, input.secret);
  } catch (error) {
    return { status: 400, body: { error: "invalid_signature", message: error instanceof Error ? error.message : "invalid signature" } };
  }
  const [row] = await db
    .insert(stripeEvents)
    .values({ id: event.id, type: event.type, payload: event as unknown as Record<string, unknown> })
    .onConflictDoUpdate({ target: stripeEvents.id, set: { attempts: sql`${stripeEvents.attempts} + 1` } })
    .returning({ processedAt: stripeEvents.processedAt });
  if (row.processedAt) return { status: 200, body: { received: true, duplicate: true } };
  const handler = WEBHOOK_HANDLERS[event.type] as WebhookHandler | undefined;
  if (!handler) {
    await db.update(stripeEvents).set({ processedAt: new Date(), outcome: "ignored: no handler" }).where(eq(stripeEvents.id, event.id));
    return { status: 200, body: { received: true, ignored: true } };
  }
  try {
    const outcome = await handler({ db, stripe: input.stripe, event });
    await db.update(stripeEvents).set({ processedAt: new Date(), outcome, lastError: null }).where(eq(stripeEvents.id, event.id));
    return { status: 200, body: { received: true, outcome } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`stripe webhook ${event.type} ${event.id} failed`, error);
    await db.update(stripeEvents).set({ lastError: message.slice(0, 1000) }).where(eq(stripeEvents.id, event.id)).catch(() => {});
    return { status: 500, body: { error: "handler_failed" } };
  }
}
