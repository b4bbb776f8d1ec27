import type Stripe from "stripe";
import { syncSubscription } from "../fulfil";
import type { WebhookHandler } from "./types";

/** Canceled (e.g. in the customer portal): no more invoices, so no more grants; credits already granted stay. */
export const handleCustomerSubscriptionDeleted: WebhookHandler<Stripe.CustomerSubscriptionDeletedEvent> = async ({ db, stripe, event }) => {
  const row = await syncSubscription(db, event.data.object.id, stripe);
  return row ? `subscription ${row.status}` : "not_ours";
};
