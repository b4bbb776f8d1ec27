import type Stripe from "stripe";
import { reverseOrdersForPayment } from "../fulfil";
import type { WebhookHandler } from "./types";

/** Dispute: treated like a refund (unspent remainder voided). */
export const handleChargeDisputeCreated: WebhookHandler<Stripe.ChargeDisputeCreatedEvent> = async ({ db, stripe, event }) => {
  let pi = event.data.object.payment_intent;
  if (!pi) {
    const chargeId = typeof event.data.object.charge === "string" ? event.data.object.charge : event.data.object.charge.id;
    pi = (await stripe.charges.retrieve(chargeId)).payment_intent;
  }
  const id = typeof pi === "string" ? pi : pi?.id;
  if (!id) return "not_ours";
  const result = await reverseOrdersForPayment(db, { paymentIntentId: id, reason: "disputed" }, stripe);
  return result.orders.length ? `voided ${result.voided} µc` : "not_ours";
};
