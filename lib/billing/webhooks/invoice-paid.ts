import type Stripe from "stripe";
import { fulfilInvoice } from "../fulfil";
import type { WebhookHandler } from "./types";

/** A paid subscription invoice grants that period's plan credits (also when it arrives before checkout.session.completed). */
export const handleInvoicePaid: WebhookHandler<Stripe.InvoicePaidEvent> = async ({ db, stripe, event }) => {
  const result = await fulfilInvoice(db, event.data.object.id!, stripe);
  return result.status;
};
