import type Stripe from "stripe";
import { markSessionExpired } from "../fulfil";
import type { WebhookHandler } from "./types";

export const handleCheckoutSessionExpired: WebhookHandler<Stripe.CheckoutSessionExpiredEvent> = async ({ db, stripe, event }) => {
  await markSessionExpired(db, event.data.object.id, stripe);
  return "expired";
};
