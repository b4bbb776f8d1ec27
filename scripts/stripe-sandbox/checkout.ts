import { chargeOutcome, normalizeCardNumber, setupOutcome, validateCardNumber, type ChargeOutcome } from "./cards";
import type { Ctx } from "./context";
import { ensureCustomer } from "./customers";
import { invalidRequest, missingParam } from "./errors";
import { arr, bool, int, mergeMetadata, obj, str, type FormObject } from "./form";
import { clientSecret, newId } from "./ids";
import { attemptInvoicePayment, finalize, markInvoicePaid, newInvoice } from "./invoices";
import { failPaymentIntent, newPaymentIntent, succeedPaymentIntent } from "./payment-intents";
import { createCardPaymentMethod } from "./payment-methods";
import { getObject, type CheckoutOptions, type StripeObject } from "./state";
import { newSubscription, periodInvoice } from "./subscriptions";
import { priceFromData } from "./prices";

const MODES = ["payment", "subscription", "setup"];

function sessionLineItems(ctx: Ctx, params: FormObject, mode: string): StripeObject[] {
  const raw = arr(params.line_items);
  if (mode === "setup") {
    if (raw.length) throw invalidRequest("You cannot pass `line_items` in `setup` mode.", "line_items");
    return [];
  }
  if (raw.length === 0) throw missingParam("line_items");
  return raw.map((entry, i) => {
    const item = obj(entry);
    const param = `line_items[${i}]`;
    let price: StripeObject;
    const priceId = str(item.price);
    if (priceId) {
      price = getObject(ctx.state, priceId, "price", `${param}[price]`);
      if (mode === "payment" && price.recurring) throw invalidRequest("You specified `payment` mode but passed a recurring price.", `${param}[price]`);
    } else if (item.price_data) {
      price = priceFromData(ctx, obj(item.price_data), `${param}[price_data]`, mode === "subscription");
    } else {
      throw invalidRequest("You must specify either `price` or `price_data` on each line item.", param);
    }
    const quantity = int(item.quantity, `${param}[quantity]`) ?? 1;
    if (quantity < 1) throw invalidRequest("Quantity must be greater than 0.", `${param}[quantity]`);
    const total = price.unit_amount * quantity;
    return {
      id: newId("li"),
      object: "item",
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: total,
      amount_tax: 0,
      amount_total: total,
      currency: price.currency,
      description: ctx.state.objects[price.product]?.name ?? null,
      metadata: {},
      price,
      quantity,
    };
  });
}

export function createCheckoutSession(ctx: Ctx, params: FormObject): StripeObject {
  const mode = str(params.mode);
  if (!mode) throw missingParam("mode");
  if (!MODES.includes(mode)) throw invalidRequest(`Invalid mode: must be one of ${MODES.join(", ")}`, "mode");
  const successUrl = str(params.success_url);
  if (!successUrl) throw invalidRequest("You must provide a `success_url` when `ui_mode` is `hosted`.", "success_url", "parameter_missing");
  const customerId = str(params.customer) ?? null;
  const customerEmail = str(params.customer_email) ?? null;
  if (customerId && customerEmail) throw invalidRequest("You may only specify one of these parameters: customer, customer_email.", "customer_email");
  const customer = customerId ? getObject(ctx.state, customerId, "customer", "customer") : null;
  const invoiceCreation = obj(params.invoice_creation);
  const invoiceEnabled = bool(invoiceCreation.enabled) ?? false;
  if (invoiceEnabled && mode !== "payment") throw invalidRequest("You can only use `invoice_creation` in `payment` mode.", "invoice_creation");
  const items = sessionLineItems(ctx, params, mode);
  const currencies = new Set(items.map((i) => i.currency));
  if (currencies.size > 1) throw invalidRequest("All line items must use the same currency.", "line_items");
  const total = items.reduce((sum, i) => sum + i.amount_total, 0);
  const currency = items[0]?.currency ?? str(params.currency)?.toLowerCase() ?? null;
  const now = ctx.now();
  const expiresAt = int(params.expires_at, "expires_at") ?? now + 24 * 3600;
  const id = newId("cs_test", 58);
  const pid = obj(params.payment_intent_data);
  const session: StripeObject = {
    id,
    object: "checkout.session",
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: mode === "setup" ? null : total,
    amount_total: mode === "setup" ? null : total,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: str(params.cancel_url) ?? null,
    client_reference_id: str(params.client_reference_id) ?? null,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: now,
    currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: customer?.id ?? null,
    customer_account: null,
    customer_creation: customer ? null : mode === "payment" ? (str(params.customer_creation) ?? "if_required") : "always",
    customer_details: customer ? { address: null, email: customer.email, name: customer.name, phone: null, tax_exempt: "none", tax_ids: [] } : null,
    customer_email: customerEmail,
    discounts: [],
    expires_at: expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation:
      mode === "payment"
        ? {
            enabled: invoiceEnabled,
            invoice_data: {
              account_tax_ids: null,
              custom_fields: null,
              description: str(obj(invoiceCreation.invoice_data).description) ?? null,
              footer: null,
              issuer: null,
              metadata: mergeMetadata({}, obj(invoiceCreation.invoice_data).metadata),
              rendering_options: null,
            },
          }
        : null,
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: mergeMetadata({}, params.metadata),
    mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: mode === "payment" ? null : "always",
    payment_method_configuration_details: null,
    payment_method_options: { card: { request_three_d_secure: "automatic" } },
    payment_method_types: ["card"],
    payment_status: mode === "setup" ? "no_payment_required" : "unpaid",
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: "open",
    submit_type: null,
    subscription: null,
    success_url: successUrl,
    total_details: mode === "setup" ? null : { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: "hosted",
    url: `${ctx.publicUrl}/c/pay/${id}`,
    wallet_options: null,
  };
  ctx.state.internal.sessionLineItems[id] = items;
  // Kept out of the public object (Stripe hides them too) but needed when the session completes.
  ctx.state.internal.checkoutOptions[id] = {
    setupFutureUsage: str(pid.setup_future_usage) ?? null,
    paymentIntentMetadata: mergeMetadata({}, pid.metadata),
    paymentIntentDescription: str(pid.description) ?? null,
    subscriptionMetadata: mergeMetadata({}, obj(params.subscription_data).metadata),
    subscriptionDescription: str(obj(params.subscription_data).description) ?? null,
  };
  if (mode === "setup") {
    const setupIntent = ctx.put({
      id: newId("seti"),
      object: "setup_intent",
      application: null,
      automatic_payment_methods: null,
      cancellation_reason: null,
      client_secret: "",
      created: now,
      customer: customer?.id ?? null,
      customer_account: null,
      description: null,
      excluded_payment_method_types: null,
      flow_directions: null,
      last_setup_error: null,
      latest_attempt: null,
      livemode: false,
      mandate: null,
      metadata: mergeMetadata({}, obj(params.setup_intent_data).metadata),
      next_action: null,
      on_behalf_of: null,
      payment_method: null,
      payment_method_configuration_details: null,
      payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: "automatic" } },
      payment_method_types: ["card"],
      single_use_mandate: null,
      status: "requires_payment_method",
      usage: "off_session",
    });
    setupIntent.client_secret = clientSecret(setupIntent.id);
    session.setup_intent = setupIntent.id;
  }
  ctx.put(session);
  return ctx.expand(session, params);
}

export function retrieveCheckoutSession(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "checkout.session"), params);
}

export function listCheckoutSessions(ctx: Ctx, params: FormObject): StripeObject {
  const f = { customer: str(params.customer), payment_intent: str(params.payment_intent), subscription: str(params.subscription), status: str(params.status) };
  const items = ctx.all("checkout.session", (s) => Object.entries(f).every(([k, v]) => !v || s[k] === v));
  return ctx.expand(ctx.list("/v1/checkout/sessions", items, params), params);
}

export function listCheckoutLineItems(ctx: Ctx, params: FormObject, id: string): StripeObject {
  getObject(ctx.state, id, "checkout.session");
  return ctx.expand(ctx.list(`/v1/checkout/sessions/${id}/line_items`, [...(ctx.state.internal.sessionLineItems[id] ?? [])], params), params);
}

export function expireSession(ctx: Ctx, session: StripeObject): StripeObject {
  session.status = "expired";
  session.url = null;
  delete ctx.state.internal.pendingCheckout[session.id];
  ctx.changed();
  ctx.emit("checkout.session.expired", session);
  return session;
}

export function expireCheckoutSession(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const session = getObject(ctx.state, id, "checkout.session");
  if (session.status !== "open") throw invalidRequest(`Only Checkout Sessions with a status in ["open"] can be expired.`);
  return ctx.expand(expireSession(ctx, session), params);
}

export function expireDueSessions(ctx: Ctx, now: number): void {
  for (const session of ctx.all("checkout.session", (s) => s.status === "open" && s.expires_at <= now)) expireSession(ctx, session);
}

export function successRedirect(session: StripeObject): string {
  return String(session.success_url).replace(/\{CHECKOUT_SESSION_ID\}/g, session.id);
}

// ---- Completing a session (hosted page and /_sandbox/pay) ----

export interface CardEntry {
  number: string;
  email?: string;
  name?: string;
  expMonth?: number;
  expYear?: number;
}

export type CheckoutResult =
  | { kind: "complete"; session: StripeObject; redirect: string }
  | { kind: "requires_action"; session: StripeObject }
  | { kind: "declined"; session: StripeObject; message: string }
  | { kind: "invalid"; session: StripeObject; message: string };

function optionsOf(ctx: Ctx, id: string): CheckoutOptions {
  return (
    ctx.state.internal.checkoutOptions[id] ?? {
      setupFutureUsage: null,
      paymentIntentMetadata: {},
      paymentIntentDescription: null,
      subscriptionMetadata: {},
      subscriptionDescription: null,
    }
  );
}

/**
 * Pays (or saves) with a card. `authentication` is the answer to the 3-D Secure step: undefined means the
 * customer has not seen it yet, so a card that needs it stops at `requires_action`.
 */
export function completeWithCard(ctx: Ctx, session: StripeObject, entry: CardEntry, authentication?: "complete" | "fail"): CheckoutResult {
  if (session.status !== "open") return { kind: "invalid", session, message: `This Checkout Session is ${session.status}.` };
  const number = normalizeCardNumber(entry.number);
  const invalid = validateCardNumber(number);
  if (invalid) return { kind: "invalid", session, message: invalid };
  const email = entry.email || session.customer_email || session.customer_details?.email || undefined;
  if (!email && !session.customer) return { kind: "invalid", session, message: "Your email is incomplete." };

  let outcome: ChargeOutcome = session.mode === "setup" ? setupOutcome(number) : chargeOutcome(number, { onSession: true });
  if (outcome.kind === "requires_action") {
    if (!authentication) {
      ctx.state.internal.pendingCheckout[session.id] = { number, email, name: entry.name };
      ctx.changed();
      return { kind: "requires_action", session };
    }
    delete ctx.state.internal.pendingCheckout[session.id];
    outcome =
      authentication === "complete"
        ? { kind: "success" }
        : { kind: "declined", declineCode: "authentication_required", message: "We are unable to authenticate your payment method. Please choose a different payment method and try again." };
  }
  const card = { ...entry, number, email };
  if (outcome.kind === "declined") return decline(ctx, session, card, outcome);
  if (session.mode === "payment") completePayment(ctx, session, card);
  else if (session.mode === "subscription") completeSubscription(ctx, session, card);
  else completeSetup(ctx, session, card);
  return { kind: "complete", session, redirect: successRedirect(session) };
}

function decline(ctx: Ctx, session: StripeObject, card: CardEntry, outcome: Extract<ChargeOutcome, { kind: "declined" }>): CheckoutResult {
  // A failed attempt in payment mode leaves a failed payment intent behind, as on Stripe; the session stays open.
  if (session.mode === "payment") {
    const pi = paymentIntentFor(ctx, session, createCardPaymentMethod(ctx, card));
    failPaymentIntent(ctx, pi, outcome.declineCode, outcome.message);
  }
  return { kind: "declined", session, message: outcome.message };
}

function customerDetails(session: StripeObject, card: CardEntry): StripeObject {
  return { address: null, email: card.email ?? null, name: card.name ?? null, phone: null, tax_exempt: "none", tax_ids: [] };
}

function paymentIntentFor(ctx: Ctx, session: StripeObject, pm: StripeObject): StripeObject {
  const options = optionsOf(ctx, session.id);
  const existing = session.payment_intent ? ctx.state.objects[session.payment_intent] : undefined;
  if (existing) {
    existing.payment_method = pm.id;
    existing.payment_method_types = [pm.type];
    existing.customer = session.customer;
    return existing;
  }
  const pi = newPaymentIntent(ctx, {
    amount: session.amount_total,
    currency: session.currency,
    customer: session.customer,
    paymentMethod: pm,
    metadata: { ...options.paymentIntentMetadata },
    description: options.paymentIntentDescription,
    setupFutureUsage: options.setupFutureUsage,
  });
  ctx.state.internal.sessionOfPaymentIntent[pi.id] = session.id;
  session.payment_intent = pi.id;
  return pi;
}

function needsCustomer(ctx: Ctx, session: StripeObject): boolean {
  return Boolean(session.invoice_creation?.enabled || optionsOf(ctx, session.id).setupFutureUsage || session.customer_creation === "always");
}

function checkoutInvoice(ctx: Ctx, session: StripeObject): StripeObject | null {
  if (!session.invoice_creation?.enabled) return null;
  const customer = getObject(ctx.state, session.customer, "customer");
  const data = session.invoice_creation.invoice_data;
  const now = ctx.now();
  const invoice = newInvoice(ctx, {
    customer,
    currency: session.currency,
    billingReason: "manual",
    lines: (ctx.state.internal.sessionLineItems[session.id] ?? []).map((li) => ({
      amount: li.amount_total,
      description: li.description,
      quantity: li.quantity,
      period: { start: now, end: now },
      price: li.price,
    })),
    metadata: { ...data.metadata },
    description: data.description,
  });
  finalize(ctx, invoice);
  session.invoice = invoice.id;
  return invoice;
}

function completePayment(ctx: Ctx, session: StripeObject, card: CardEntry): void {
  if (needsCustomer(ctx, session)) ensureCustomer(ctx, session, card.email, card.name);
  const saveCard = Boolean(optionsOf(ctx, session.id).setupFutureUsage);
  const pm = createCardPaymentMethod(ctx, card, saveCard ? session.customer : null);
  const pi = paymentIntentFor(ctx, session, pm);
  succeedPaymentIntent(ctx, pi);
  const invoice = checkoutInvoice(ctx, session);
  if (invoice) markInvoicePaid(ctx, invoice, pi);
  session.status = "complete";
  session.payment_status = "paid";
  session.customer_details = customerDetails(session, card);
  session.url = null;
  ctx.changed();
  ctx.emit("checkout.session.completed", session);
}

function completeSubscription(ctx: Ctx, session: StripeObject, card: CardEntry): void {
  const options = optionsOf(ctx, session.id);
  const customer = ensureCustomer(ctx, session, card.email, card.name);
  const pm = createCardPaymentMethod(ctx, card, customer.id);
  const lines = (ctx.state.internal.sessionLineItems[session.id] ?? []).map((li) => ({ price: li.price, quantity: li.quantity }));
  const sub = newSubscription(ctx, { customer, lines, metadata: { ...options.subscriptionMetadata }, defaultPaymentMethod: pm.id, description: options.subscriptionDescription });
  const invoice = periodInvoice(ctx, sub, "subscription_create", sub.start_date);
  sub.status = "active";
  ctx.emit("customer.subscription.created", sub);
  // The customer already passed any 3-D Secure step on the page, so the first charge goes through.
  attemptInvoicePayment(ctx, invoice, { paymentMethod: pm.id, onSession: true, outcome: { kind: "success" } });
  session.subscription = sub.id;
  session.invoice = invoice.id;
  session.status = "complete";
  session.payment_status = "paid";
  session.customer_details = customerDetails(session, card);
  session.url = null;
  ctx.changed();
  ctx.emit("checkout.session.completed", session);
}

function completeSetup(ctx: Ctx, session: StripeObject, card: CardEntry): void {
  const pm = createCardPaymentMethod(ctx, card, session.customer);
  const setupIntent = getObject(ctx.state, session.setup_intent, "setup_intent");
  setupIntent.status = "succeeded";
  setupIntent.payment_method = pm.id;
  setupIntent.latest_attempt = newId("setatt");
  session.status = "complete";
  session.customer_details = customerDetails(session, card);
  session.url = null;
  ctx.changed();
  ctx.emit("setup_intent.succeeded", setupIntent);
  ctx.emit("checkout.session.completed", session);
}

/**
 * "Pay by bank transfer": the session completes unpaid and the money arrives later, when a test calls
 * POST /_sandbox/async/{cs}/succeed (or /fail). Payment mode only.
 */
export function completeWithBankTransfer(ctx: Ctx, session: StripeObject, email: string | undefined): CheckoutResult {
  if (session.status !== "open") return { kind: "invalid", session, message: `This Checkout Session is ${session.status}.` };
  if (session.mode !== "payment") return { kind: "invalid", session, message: "Bank transfer is only available for one-time payments." };
  const customerEmail = email || session.customer_email || session.customer_details?.email || undefined;
  if (!customerEmail && !session.customer) return { kind: "invalid", session, message: "Your email is incomplete." };
  if (needsCustomer(ctx, session)) ensureCustomer(ctx, session, customerEmail, undefined);
  const pm = ctx.put({
    id: newId("pm"),
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: { address: null, email: customerEmail ?? null, name: null, phone: null, tax_id: null },
    created: ctx.now(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: "us_bank_account",
    us_bank_account: { account_holder_type: "individual", account_type: "checking", bank_name: "STRIPE TEST BANK", financial_connections_account: null, fingerprint: "sandboxbank", last4: "6789", networks: { preferred: "ach", supported: ["ach"] }, routing_number: "110000000", status_details: {} },
  });
  const pi = paymentIntentFor(ctx, session, pm);
  pi.status = "processing";
  pi.processing = null;
  checkoutInvoice(ctx, session);
  session.status = "complete";
  session.payment_status = "unpaid";
  session.customer_details = customerDetails(session, { number: "", email: customerEmail });
  session.url = null;
  ctx.changed();
  ctx.emit("checkout.session.completed", session);
  return { kind: "complete", session, redirect: successRedirect(session) };
}

export function settleAsyncPayment(ctx: Ctx, session: StripeObject, succeeded: boolean): StripeObject {
  const pi = session.payment_intent ? ctx.state.objects[session.payment_intent] : undefined;
  if (session.status !== "complete" || session.payment_status !== "unpaid" || !pi || pi.status !== "processing") {
    throw invalidRequest(`Checkout Session ${session.id} has no pending asynchronous payment.`);
  }
  if (succeeded) {
    succeedPaymentIntent(ctx, pi);
    const invoice = session.invoice ? ctx.state.objects[session.invoice] : undefined;
    if (invoice) markInvoicePaid(ctx, invoice, pi);
    session.payment_status = "paid";
    ctx.changed();
    ctx.emit("checkout.session.async_payment_succeeded", session);
  } else {
    failPaymentIntent(ctx, pi, "generic_decline", "The customer's bank account could not be debited.");
    ctx.emit("checkout.session.async_payment_failed", session);
  }
  return session;
}
