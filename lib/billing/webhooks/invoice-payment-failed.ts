import type Stripe from "stripe";
import { recordFailedAuthentication } from "../auto-recharge/recharge";
import { syncSubscription } from "../fulfil";
import type { WebhookHandler } from "./types";

/**
 * A renewal was declined: no grant; the subscription's status (past_due) is mirrored. An auto-recharge whose
 * 3-D Secure the owner failed counts as a declined payment.
 */
export const handleInvoicePaymentFailed: WebhookHandler<Stripe.InvoicePaymentFailedEvent> = async ({ db, stripe, event }) => {
  if (event.data.object.metadata?.creditdesk_kind === "auto_recharge") {
    const recharge = await recordFailedAuthentication(db, event.data.object.id!, stripe);
    return recharge ? `recharge_${recharge.status}` : "not_ours";
  }
  const sub = event.data.object.parent?.subscription_details?.subscription;
  const id = typeof sub === "string" ? sub : sub?.id;
  if (!id) return "not_ours";
  const row = await syncSubscription(db, id, stripe);
  return row ? `subscription ${row.status}` : "not_ours";
};
