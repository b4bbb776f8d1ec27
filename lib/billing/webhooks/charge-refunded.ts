import type Stripe from "stripe";
import { reverseOrdersForPayment } from "../fulfil";
import type { WebhookHandler } from "./types";

/** Refund: the unspent remainder of the purchase's batches is voided; spent credits stay spent. */
export const handleChargeRefunded: WebhookHandler<Stripe.ChargeRefundedEvent> = async ({ db, stripe, event }) => {
  const pi = event.data.object.payment_intent;
  const id = typeof pi === "string" ? pi : pi?.id;
  if (!id) return "not_ours";
  const result = await reverseOrdersForPayment(db, { paymentIntentId: id, reason: "refunded" }, stripe);
  return result.orders.length ? `voided ${result.voided} µc` : "not_ours";
};
