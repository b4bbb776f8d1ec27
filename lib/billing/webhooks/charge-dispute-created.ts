import type Stripe from "stripe";
import { reversePayment } from "../reverse-payment";
import type { WebhookHandler } from "./types";

/** Dispute: treated like a refund of the disputed amount (that share of the unspent credits voided). */
export const handleChargeDisputeCreated: WebhookHandler<Stripe.ChargeDisputeCreatedEvent> = async ({ db, stripe, event }) => {
  const dispute = event.data.object;
  const charge = await stripe.charges.retrieve(typeof dispute.charge === "string" ? dispute.charge : dispute.charge.id);
  const pi = dispute.payment_intent ?? charge.payment_intent;
  const paymentIntentId = typeof pi === "string" ? pi : pi?.id;
  if (!paymentIntentId) return "not_ours";
  const result = await reversePayment(db, { paymentIntentId, reason: "disputed", reversedMinor: dispute.amount, capturedMinor: charge.amount_captured }, stripe);
  return result.orders.length + result.recharges.length > 0 ? `voided ${result.voided} µc` : "not_ours";
};
