import type Stripe from "stripe";
import { recordPaymentIntentFailure } from "../fulfil";
import type { WebhookHandler } from "./types";

/** A declined card on the Checkout page: nothing granted; the order records the decline (the buyer may retry). */
export const handlePaymentIntentPaymentFailed: WebhookHandler<Stripe.PaymentIntentPaymentFailedEvent> = async ({ db, event }) => {
  const order = await recordPaymentIntentFailure(db, event.data.object);
  return order ? "order marked payment_failed" : "not_ours";
};
