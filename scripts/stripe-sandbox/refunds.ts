import type { Ctx } from "./context";
import { invalidRequest } from "./errors";
import { int, mergeMetadata, str, type FormObject } from "./form";
import { newId } from "./ids";
import { clone, getObject, type StripeObject } from "./state";

/** The charge behind a `charge` or `payment_intent` parameter (refunds and disputes accept either). */
function chargeFrom(ctx: Ctx, params: FormObject): StripeObject {
  const chargeId = str(params.charge);
  if (chargeId) return getObject(ctx.state, chargeId, "charge", "charge");
  const piId = str(params.payment_intent);
  if (!piId) throw invalidRequest("One of the following params should be provided for this request: payment_intent or charge.", undefined, "parameter_missing");
  const pi = getObject(ctx.state, piId, "payment_intent", "payment_intent");
  if (pi.status !== "succeeded" || !pi.latest_charge) {
    throw invalidRequest(`This PaymentIntent (${piId}) does not have a successful charge to refund.`, "payment_intent", "payment_intent_unexpected_state");
  }
  return getObject(ctx.state, pi.latest_charge, "charge");
}

export function createRefund(ctx: Ctx, params: FormObject): StripeObject {
  const charge = chargeFrom(ctx, params);
  const remaining = charge.amount_captured - charge.amount_refunded;
  if (remaining <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, undefined, "charge_already_refunded");
  const amount = int(params.amount, "amount") ?? remaining;
  if (amount <= 0) throw invalidRequest("Refund amount must be greater than 0.", "amount");
  if (amount > remaining) {
    throw invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, "amount", "amount_too_large");
  }
  const refund: StripeObject = ctx.put({
    id: newId("re"),
    object: "refund",
    amount,
    balance_transaction: newId("txn"),
    charge: charge.id,
    created: ctx.now(),
    currency: charge.currency,
    customer: charge.customer ?? null,
    customer_account: null,
    destination_details: { card: { reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" }, type: "card" },
    metadata: mergeMetadata({}, params.metadata),
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    reason: str(params.reason) ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: "succeeded",
    transfer_reversal: null,
  });
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount_captured;
  charge.refunds = charge.refunds ?? { object: "list", data: [], has_more: false, url: `/v1/charges/${charge.id}/refunds` };
  charge.refunds.data.unshift(clone(refund));
  ctx.changed();
  ctx.emit("charge.refunded", charge, { amount_refunded: charge.amount_refunded - amount, refunded: false });
  ctx.emit("refund.created", refund);
  return ctx.expand(refund, params);
}

export function retrieveRefund(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "refund"), params);
}

export function listRefunds(ctx: Ctx, params: FormObject): StripeObject {
  const charge = str(params.charge);
  const pi = str(params.payment_intent);
  const items = ctx.all("refund", (r) => (!charge || r.charge === charge) && (!pi || r.payment_intent === pi));
  return ctx.expand(ctx.list("/v1/refunds", items, params), params);
}

/** Sandbox control: a cardholder disputes a charge (there is no API for that on Stripe either). */
export function openDispute(ctx: Ctx, params: FormObject): StripeObject {
  const charge = chargeFrom(ctx, params);
  const amount = int(params.amount, "amount") ?? charge.amount_captured - charge.amount_refunded;
  const dispute = ctx.put({
    id: newId("dp"),
    object: "dispute",
    amount,
    balance_transactions: [],
    charge: charge.id,
    created: ctx.now(),
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: {},
    evidence_details: { due_by: ctx.now() + 7 * 86_400, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0 },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    network_reason_code: "10.4",
    payment_intent: charge.payment_intent,
    reason: str(params.reason) ?? "fraudulent",
    status: "needs_response",
  });
  charge.disputed = true;
  ctx.changed();
  ctx.emit("charge.dispute.created", dispute);
  return dispute;
}

export function retrieveDispute(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "dispute"), params);
}
