import type Stripe from "stripe";
import { fulfilInvoice } from "../fulfil";
import { completeRechargeForInvoice } from "../auto-recharge/recharge";
import type { WebhookHandler } from "./types";

/**
 * A paid subscription invoice grants that period's plan credits (also when it arrives before
 * checkout.session.completed); a paid auto-recharge invoice (e.g. after 3-D Secure) grants its top-up.
 */
export const handleInvoicePaid: WebhookHandler<Stripe.InvoicePaidEvent> = async ({ db, stripe, event }) => {
  if (event.data.object.metadata?.creditdesk_kind === "auto_recharge") {
    const invoice = await stripe.invoices.retrieve(event.data.object.id!);
    if (invoice.status !== "paid") return "not_paid";
    const recharge = await completeRechargeForInvoice(db, invoice);
    return recharge ? `recharge_${recharge.status}` : "not_ours";
  }
  const result = await fulfilInvoice(db, event.data.object.id!, stripe);
  return result.status;
};
