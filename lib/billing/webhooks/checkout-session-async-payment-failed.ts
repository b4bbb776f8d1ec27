import type Stripe from "stripe";
import { markSessionPaymentFailed } from "../fulfil";
import type { WebhookHandler } from "./types";

/** The delayed payment failed: nothing is granted; the order says so. */
export const handleCheckoutSessionAsyncPaymentFailed: WebhookHandler<Stripe.CheckoutSessionAsyncPaymentFailedEvent> = async ({ db, stripe, event }) => {
  const order = await markSessionPaymentFailed(db, event.data.object.id, "The bank payment failed.", stripe);
  return order ? "order marked payment_failed" : "not_ours";
};
