import type Stripe from "stripe";
import { idOf } from "../fulfil";
import { reversePayment } from "../reverse-payment";
import type { WebhookHandler } from "./types";

/** Dispute: treated like a refund of the disputed amount (that share of the unspent credits voided). */
export const handleChargeDisputeCreated: WebhookHandler<Stripe.ChargeDisputeCreatedEvent> = async ({ db, stripe, event }) => {
  const dispute = event.data.object;
  const charge = await stripe.charges.retrieve(idOf(dispute.charge)!);
  const paymentIntentId = idOf(dispute.payment_intent ?? charge.payment_intent);
  if (!paymentIntentId) return "not_ours";
  const result = await reversePayment(db, { paymentIntentId, reason: "disputed", reversedMinor: dispute.amount, capturedMinor: charge.amount_captured }, stripe);
  return result.orders.length + result.recharges.length > 0 ? `voided ${result.voided} µc` : "not_ours";
};
