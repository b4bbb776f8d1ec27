import type Stripe from "stripe";
import { idOf } from "../fulfil";
import { reversePayment } from "../reverse-payment";
import type { WebhookHandler } from "./types";

/** Refund, full or partial: that share of the purchase's unspent credits is voided; spent credits stay spent. */
export const handleChargeRefunded: WebhookHandler<Stripe.ChargeRefundedEvent> = async ({ db, stripe, event }) => {
  // Read fresh: `amount_refunded` adds up over refunds, and their events may arrive out of order.
  const charge = await stripe.charges.retrieve(event.data.object.id);
  const paymentIntentId = idOf(charge.payment_intent);
  if (!paymentIntentId) return "not_ours";
  const result = await reversePayment(db, { paymentIntentId, reason: "refunded", reversedMinor: charge.amount_refunded, capturedMinor: charge.amount_captured }, stripe);
  return result.orders.length + result.recharges.length > 0 ? `voided ${result.voided} µc` : "not_ours";
};
