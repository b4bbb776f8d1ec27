import { createHash } from "node:crypto";
import { brandOf, MAGIC_PAYMENT_METHODS } from "./cards";
import type { Ctx } from "./context";
import { invalidRequest, missingParam } from "./errors";
import { str, type FormObject } from "./form";
import { newId } from "./ids";
import { getObject, type StripeObject } from "./state";

export interface CardDetails {
  number: string;
  expMonth?: number;
  expYear?: number;
  name?: string;
  email?: string;
}

export function createCardPaymentMethod(ctx: Ctx, card: CardDetails, customerId: string | null = null): StripeObject {
  const brand = brandOf(card.number);
  const pm: StripeObject = {
    id: newId("pm"),
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: { address: null, email: card.email ?? null, name: card.name ?? null, phone: null, tax_id: null },
    card: {
      brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
      country: "US",
      display_brand: brand,
      exp_month: card.expMonth ?? 12,
      exp_year: card.expYear ?? new Date().getUTCFullYear() + 5,
      fingerprint: createHash("sha256").update(card.number).digest("base64url").slice(0, 16),
      funding: "credit",
      generated_from: null,
      last4: card.number.slice(-4),
      networks: { available: [brand], preferred: null },
      regulated_status: "unregulated",
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: ctx.now(),
    customer: customerId,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: "card",
  };
  ctx.state.internal.cardNumbers[pm.id] = card.number;
  return ctx.put(pm);
}

/** A stored payment method, or a fresh one for Stripe's magic test ids (`pm_card_visa`, ...). */
export function resolvePaymentMethod(ctx: Ctx, id: string, param = "payment_method"): StripeObject {
  const magic = MAGIC_PAYMENT_METHODS[id];
  if (magic) return createCardPaymentMethod(ctx, { number: magic });
  return getObject(ctx.state, id, "payment_method", param);
}

export function cardNumberOf(ctx: Ctx, pm: StripeObject): string {
  return ctx.state.internal.cardNumbers[pm.id] ?? "4242424242424242";
}

export function retrievePaymentMethod(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "payment_method"), params);
}

export function listPaymentMethods(ctx: Ctx, params: FormObject): StripeObject {
  const customer = str(params.customer);
  if (customer) getObject(ctx.state, customer, "customer", "customer");
  const type = str(params.type);
  const items = ctx.all("payment_method", (pm) => (!customer || pm.customer === customer) && (!type || pm.type === type));
  return ctx.expand(ctx.list("/v1/payment_methods", items, params), params);
}

export function listCustomerPaymentMethods(ctx: Ctx, params: FormObject, customerId: string): StripeObject {
  return listPaymentMethods(ctx, { ...params, customer: customerId });
}

export function retrieveCustomerPaymentMethod(ctx: Ctx, params: FormObject, customerId: string, pmId: string): StripeObject {
  const pm = getObject(ctx.state, pmId, "payment_method");
  if (pm.customer !== customerId) throw invalidRequest(`No such PaymentMethod: '${pmId}'`, "payment_method", "resource_missing");
  return ctx.expand(pm, params);
}

export function attachPaymentMethod(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const customerId = str(params.customer);
  if (!customerId) throw missingParam("customer");
  getObject(ctx.state, customerId, "customer", "customer");
  const pm = resolvePaymentMethod(ctx, id, "payment_method");
  if (pm.customer && pm.customer !== customerId) {
    throw invalidRequest("The payment method you provided has already been attached to a customer.", undefined, "payment_method_unexpected_state");
  }
  pm.customer = customerId;
  ctx.changed();
  return ctx.expand(pm, params);
}

export function detachPaymentMethod(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const pm = getObject(ctx.state, id, "payment_method");
  if (!pm.customer) throw invalidRequest("The payment method you provided is not attached to a customer so detachment is impossible.", undefined, "payment_method_unexpected_state");
  const customer = ctx.state.objects[pm.customer];
  if (customer?.invoice_settings?.default_payment_method === pm.id) customer.invoice_settings.default_payment_method = null;
  pm.customer = null;
  ctx.changed();
  return ctx.expand(pm, params);
}
