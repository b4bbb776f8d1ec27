import type { Ctx } from "./context";
import { invalidRequest } from "./errors";
import { mergeMetadata, obj, str, type FormObject } from "./form";
import { newId } from "./ids";
import { getObject, type StripeObject } from "./state";

export function newCustomer(ctx: Ctx, params: FormObject): StripeObject {
  const testClock = str(params.test_clock);
  if (testClock) getObject(ctx.state, testClock, "test_helpers.test_clock", "test_clock");
  const customer: StripeObject = {
    id: newId("cus", 14),
    object: "customer",
    address: null,
    balance: 0,
    created: ctx.now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: str(params.description) ?? null,
    discount: null,
    email: str(params.email) ?? null,
    invoice_prefix: newId("x", 8).slice(2).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: mergeMetadata({}, params.metadata),
    name: str(params.name) ?? null,
    next_invoice_sequence: 1,
    phone: str(params.phone) ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: "none",
    test_clock: testClock ?? null,
  };
  ctx.put(customer);
  applyDefaultPaymentMethod(ctx, customer, params);
  return customer;
}

function applyDefaultPaymentMethod(ctx: Ctx, customer: StripeObject, params: FormObject): void {
  const settings = obj(params.invoice_settings);
  if (settings.default_payment_method === undefined) return;
  const pmId = str(settings.default_payment_method);
  if (!pmId) {
    customer.invoice_settings.default_payment_method = null;
    return;
  }
  const pm = getObject(ctx.state, pmId, "payment_method", "invoice_settings[default_payment_method]");
  if (pm.customer !== customer.id) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${pmId}. The payment method must be attached to the customer.`,
      "invoice_settings[default_payment_method]",
      "resource_missing",
    );
  }
  customer.invoice_settings.default_payment_method = pmId;
}

export function createCustomer(ctx: Ctx, params: FormObject): StripeObject {
  return ctx.expand(newCustomer(ctx, params), params);
}

export function retrieveCustomer(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "customer"), params);
}

export function updateCustomer(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const customer = getObject(ctx.state, id, "customer");
  for (const field of ["email", "name", "description", "phone"] as const) {
    if (params[field] !== undefined) customer[field] = str(params[field]) || null;
  }
  customer.metadata = mergeMetadata(customer.metadata, params.metadata);
  applyDefaultPaymentMethod(ctx, customer, params);
  ctx.changed();
  return ctx.expand(customer, params);
}

export function listCustomers(ctx: Ctx, params: FormObject): StripeObject {
  const email = str(params.email);
  const items = ctx.all("customer", (c) => !email || c.email === email);
  return ctx.expand(ctx.list("/v1/customers", items, params), params);
}

/** Checkout creates a customer when it needs one (subscriptions, invoices, saved cards). */
export function ensureCustomer(ctx: Ctx, session: StripeObject, email: string | undefined, name: string | undefined): StripeObject {
  if (session.customer) return getObject(ctx.state, session.customer, "customer");
  const customer = newCustomer(ctx, { ...(email ? { email } : {}), ...(name ? { name } : {}) });
  session.customer = customer.id;
  return customer;
}
