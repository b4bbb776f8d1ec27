import { chargeOutcome, declineMessage, type ChargeOutcome } from "./cards";
import type { Ctx } from "./context";
import { invalidRequest, missingParam, StripeHttpError } from "./errors";
import { bool, int, mergeMetadata, str, type FormObject } from "./form";
import { clientSecret, newId } from "./ids";
import { cardNumberOf, resolvePaymentMethod } from "./payment-methods";
import { clone, getObject, type StripeObject } from "./state";

export interface NewPaymentIntent {
  amount: number;
  currency: string;
  customer: string | null;
  paymentMethod: StripeObject | null;
  metadata?: Record<string, string>;
  description?: string | null;
  setupFutureUsage?: string | null;
  receiptEmail?: string | null;
  returnUrl?: string | null;
}

export function newPaymentIntent(ctx: Ctx, input: NewPaymentIntent): StripeObject {
  const id = newId("pi");
  const pi: StripeObject = {
    id,
    object: "payment_intent",
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: "automatic",
    client_secret: clientSecret(id),
    confirmation_method: "automatic",
    created: ctx.now(),
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    description: input.description ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: input.paymentMethod?.id ?? null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" } },
    payment_method_types: [input.paymentMethod?.type ?? "card"],
    payment_record: null,
    processing: null,
    receipt_email: input.receiptEmail ?? null,
    review: null,
    setup_future_usage: input.setupFutureUsage ?? null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: input.paymentMethod ? "requires_confirmation" : "requires_payment_method",
    transfer_data: null,
    transfer_group: null,
  };
  return ctx.put(pi);
}

function newCharge(ctx: Ctx, pi: StripeObject, pm: StripeObject, failure?: { code: string; declineCode: string; message: string }): StripeObject {
  const id = newId("ch");
  const card = pm.card ?? {};
  const charge: StripeObject = {
    id,
    object: "charge",
    amount: pi.amount,
    amount_captured: failure ? 0 : pi.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: failure ? null : newId("txn"),
    billing_details: pm.billing_details,
    calculated_statement_descriptor: "CREDITDESK",
    captured: !failure,
    created: ctx.now(),
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: clone(pi.metadata),
    on_behalf_of: null,
    outcome: failure
      ? { network_status: "declined_by_network", reason: failure.declineCode, risk_level: "normal", seller_message: "The bank did not return any further details with this decline.", type: "issuer_declined" }
      : { network_status: "approved_by_network", reason: null, risk_level: "normal", seller_message: "Payment complete.", type: "authorized" },
    paid: !failure,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details:
      pm.type === "card"
        ? { type: "card", card: { brand: card.brand, country: card.country, exp_month: card.exp_month, exp_year: card.exp_year, fingerprint: card.fingerprint, funding: card.funding, last4: card.last4, network: card.brand, three_d_secure: null, wallet: null } }
        : { type: pm.type, [pm.type]: clone(pm[pm.type] ?? {}) },
    receipt_email: pi.receipt_email,
    receipt_number: null,
    receipt_url: `${ctx.publicUrl}/receipts/${id}`,
    refunded: false,
    refunds: { object: "list", data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: failure ? "failed" : "succeeded",
    transfer_data: null,
    transfer_group: null,
  };
  return ctx.put(charge);
}

export function succeedPaymentIntent(ctx: Ctx, pi: StripeObject): StripeObject {
  const pm = getObject(ctx.state, pi.payment_method, "payment_method");
  const charge = newCharge(ctx, pi, pm);
  pi.status = "succeeded";
  pi.amount_received = pi.amount;
  pi.latest_charge = charge.id;
  pi.next_action = null;
  pi.last_payment_error = null;
  pi.processing = null;
  ctx.changed();
  ctx.emit("payment_intent.succeeded", pi);
  return pi;
}

export function failPaymentIntent(ctx: Ctx, pi: StripeObject, declineCode: string, message = declineMessage(declineCode), code = "card_declined"): StripeObject {
  const pm = getObject(ctx.state, pi.payment_method, "payment_method");
  const charge = newCharge(ctx, pi, pm, { code, declineCode, message });
  pi.status = "requires_payment_method";
  pi.latest_charge = charge.id;
  pi.next_action = null;
  pi.processing = null;
  pi.last_payment_error = {
    charge: charge.id,
    code,
    decline_code: declineCode,
    doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}`,
    message,
    payment_method: clone(pm),
    type: "card_error",
  };
  ctx.changed();
  ctx.emit("payment_intent.payment_failed", pi);
  return pi;
}

function requireAction(ctx: Ctx, pi: StripeObject, returnUrl: string | null): StripeObject {
  pi.status = "requires_action";
  pi.next_action = {
    type: "redirect_to_url",
    redirect_to_url: { url: `${ctx.publicUrl}/authenticate/${pi.id}`, return_url: returnUrl },
  };
  ctx.changed();
  ctx.emit("payment_intent.requires_action", pi);
  return pi;
}

/**
 * Confirms with the card behind the payment method. `outcome` overrides the card's own rule, for Checkout
 * where the customer already passed (or failed) 3-D Secure on the page.
 */
export function confirmPaymentIntent(ctx: Ctx, pi: StripeObject, options: { onSession: boolean; returnUrl?: string | null; outcome?: ChargeOutcome }): StripeObject {
  if (!pi.payment_method) {
    throw invalidRequest(
      "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent with cus_, specify a payment method attached to this customer along with the customer ID.",
      "payment_method",
      "payment_intent_unexpected_state",
    );
  }
  const pm = getObject(ctx.state, pi.payment_method, "payment_method");
  const outcome = options.outcome ?? chargeOutcome(cardNumberOf(ctx, pm), { onSession: options.onSession });
  if (outcome.kind === "success") return succeedPaymentIntent(ctx, pi);
  if (outcome.kind === "requires_action") return requireAction(ctx, pi, options.returnUrl ?? null);
  return failPaymentIntent(ctx, pi, outcome.declineCode, outcome.message);
}

/** The 402 the API answers for a declined confirmation; the SDK turns it into StripeCardError. */
export function cardDeclinedError(ctx: Ctx, pi: StripeObject): StripeHttpError {
  const error = pi.last_payment_error;
  return new StripeHttpError(402, "card_error", error.message, "card_declined", undefined, {
    decline_code: error.decline_code,
    charge: error.charge,
    payment_intent: ctx.expand(pi, {}),
    payment_method: error.payment_method,
    request_log_url: `${ctx.publicUrl}/logs/${ctx.request.id ?? ""}`,
  });
}

function paymentMethodFor(ctx: Ctx, params: FormObject, customer: string | null): StripeObject | null {
  const id = str(params.payment_method);
  if (!id) return null;
  const pm = resolvePaymentMethod(ctx, id);
  if (customer && pm.customer && pm.customer !== customer) {
    throw invalidRequest(`The provided PaymentMethod ${pm.id} does not belong to the customer ${customer}.`, "payment_method");
  }
  if (bool(params.off_session) && customer && !pm.customer) {
    // Stripe refuses to charge an unattached card off-session; attaching magic cards keeps tests short.
    if (id.startsWith("pm_card_")) pm.customer = customer;
    else throw invalidRequest(`The provided PaymentMethod ${pm.id} was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.`, "payment_method");
  }
  return pm;
}

export function createPaymentIntent(ctx: Ctx, params: FormObject): StripeObject {
  const amount = int(params.amount, "amount");
  if (amount === undefined) throw missingParam("amount");
  if (amount < 50) throw invalidRequest("Amount must be at least $0.50 usd", "amount", "amount_too_small");
  const currency = str(params.currency)?.toLowerCase();
  if (!currency) throw missingParam("currency");
  const customer = str(params.customer) ?? null;
  if (customer) getObject(ctx.state, customer, "customer", "customer");
  const offSession = bool(params.off_session) ?? false;
  if (offSession && !bool(params.confirm)) throw invalidRequest("off_session can only be used when confirm=true.", "off_session");
  const pm = paymentMethodFor(ctx, params, customer);
  const pi = newPaymentIntent(ctx, {
    amount,
    currency,
    customer,
    paymentMethod: pm,
    metadata: mergeMetadata({}, params.metadata),
    description: str(params.description),
    setupFutureUsage: str(params.setup_future_usage),
    receiptEmail: str(params.receipt_email),
  });
  if (bool(params.confirm)) {
    confirmPaymentIntent(ctx, pi, { onSession: !offSession, returnUrl: str(params.return_url) });
    if (pi.status === "requires_payment_method" && pi.last_payment_error) throw cardDeclinedError(ctx, pi);
  }
  return ctx.expand(pi, params);
}

export function confirmPaymentIntentRoute(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const pi = getObject(ctx.state, id, "payment_intent");
  if (!["requires_confirmation", "requires_payment_method"].includes(pi.status)) {
    throw invalidRequest(`This PaymentIntent's status is ${pi.status}, but it must be requires_payment_method or requires_confirmation to be confirmed.`, undefined, "payment_intent_unexpected_state");
  }
  if (params.payment_method) pi.payment_method = paymentMethodFor(ctx, params, pi.customer)?.id ?? pi.payment_method;
  confirmPaymentIntent(ctx, pi, { onSession: !(bool(params.off_session) ?? false), returnUrl: str(params.return_url) });
  if (pi.status === "requires_payment_method" && pi.last_payment_error) throw cardDeclinedError(ctx, pi);
  return ctx.expand(pi, params);
}

export function cancelPaymentIntent(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const pi = getObject(ctx.state, id, "payment_intent");
  if (pi.status === "succeeded" || pi.status === "canceled") {
    throw invalidRequest(`You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`, undefined, "payment_intent_unexpected_state");
  }
  pi.status = "canceled";
  pi.canceled_at = ctx.now();
  pi.cancellation_reason = str(params.cancellation_reason) ?? "requested_by_customer";
  pi.next_action = null;
  ctx.changed();
  ctx.emit("payment_intent.canceled", pi);
  return ctx.expand(pi, params);
}

export function retrievePaymentIntent(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "payment_intent"), params);
}

export function listPaymentIntents(ctx: Ctx, params: FormObject): StripeObject {
  const customer = str(params.customer);
  return ctx.expand(ctx.list("/v1/payment_intents", ctx.all("payment_intent", (pi) => !customer || pi.customer === customer), params), params);
}

export function retrieveCharge(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "charge"), params);
}

export function listCharges(ctx: Ctx, params: FormObject): StripeObject {
  const pi = str(params.payment_intent);
  const customer = str(params.customer);
  const items = ctx.all("charge", (c) => (!pi || c.payment_intent === pi) && (!customer || c.customer === customer));
  return ctx.expand(ctx.list("/v1/charges", items, params), params);
}
