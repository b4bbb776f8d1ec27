import type Stripe from "stripe";
import { fulfilCheckoutSession } from "../fulfil";
import type { WebhookHandler } from "./types";

/** Card payments are paid now (grant); bank transfers complete unpaid (the order waits for async_payment_succeeded). */
export const handleCheckoutSessionCompleted: WebhookHandler<Stripe.CheckoutSessionCompletedEvent> = async ({ db, stripe, event }) => {
  const result = await fulfilCheckoutSession(db, event.data.object.id, stripe);
  return result.status;
};
