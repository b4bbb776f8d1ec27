import type Stripe from "stripe";
import { syncSubscription } from "../fulfil";
import type { WebhookHandler } from "./types";

/** A renewal was declined: no grant; the subscription's status (past_due) is mirrored. */
export const handleInvoicePaymentFailed: WebhookHandler<Stripe.InvoicePaymentFailedEvent> = async ({ db, stripe, event }) => {
  const sub = event.data.object.parent?.subscription_details?.subscription;
  const id = typeof sub === "string" ? sub : sub?.id;
  if (!id) return "not_ours";
  const row = await syncSubscription(db, id, stripe);
  return row ? `subscription ${row.status}` : "not_ours";
};
