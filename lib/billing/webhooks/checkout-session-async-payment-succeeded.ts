import type Stripe from "stripe";
import { fulfilCheckoutSession } from "../fulfil";
import type { WebhookHandler } from "./types";

/** The delayed payment arrived: grant now (the session is re-read from Stripe, so it says `paid`). */
export const handleCheckoutSessionAsyncPaymentSucceeded: WebhookHandler<Stripe.CheckoutSessionAsyncPaymentSucceededEvent> = async ({ db, stripe, event }) => {
  const result = await fulfilCheckoutSession(db, event.data.object.id, stripe);
  return result.status;
};
