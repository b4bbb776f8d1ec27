import type Stripe from "stripe";
import { syncSubscription } from "../fulfil";
import type { WebhookHandler } from "./types";

/** Period changes, cancel-at-period-end, past_due: mirror the subscription as Stripe has it now. */
export const handleCustomerSubscriptionUpdated: WebhookHandler<Stripe.CustomerSubscriptionUpdatedEvent> = async ({ db, stripe, event }) => {
  const row = await syncSubscription(db, event.data.object.id, stripe);
  return row ? `subscription ${row.status}` : "not_ours";
};
