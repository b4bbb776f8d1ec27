import type { ChargeOutcome } from "./cards";
import { invoicePayments, type Ctx } from "./context";
import { invalidRequest, missingParam, StripeHttpError } from "./errors";
import { bool, int, mergeMetadata, obj, str, type FormObject } from "./form";
import { newId } from "./ids";
import { cancelPaymentIntent, cardDeclinedError, confirmPaymentIntent, newPaymentIntent } from "./payment-intents";
import { clone, getObject, type StripeObject } from "./state";

export interface InvoiceLineInput {
  amount: number;
  description: string | null;
  quantity: number;
  period: { start: number; end: number };
  price?: StripeObject | null;
  invoiceItem?: string | null;
  subscription?: string | null;
  subscriptionItem?: string | null;
  metadata?: Record<string, string>;
}

function lineItem(invoiceId: string | null, currency: string, input: InvoiceLineInput): StripeObject {
  const unit = input.quantity ? Math.round(input.amount / input.quantity) : input.amount;
  return {
    id: newId("il"),
    object: "line_item",
    amount: input.amount,
    currency,
    description: input.description,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: input.metadata ?? {},
    parent: input.subscriptionItem
      ? {
          type: "subscription_item_details",
          invoice_item_details: null,
          subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: input.subscription ?? null, subscription_item: input.subscriptionItem },
        }
      : {
          type: "invoice_item_details",
          invoice_item_details: { invoice_item: input.invoiceItem ?? null, proration: false, proration_details: { credited_items: null }, subscription: input.subscription ?? null },
          subscription_item_details: null,
        },
    period: input.period,
    pretax_credit_amounts: [],
    pricing: {
      type: "price_details",
      price_details: input.price ? { price: input.price.id, product: input.price.product } : undefined,
      unit_amount_decimal: String(unit),
    },
    quantity: input.quantity,
    quantity_decimal: String(input.quantity),
    subscription: input.subscription ?? null,
    subtotal: input.amount,
    taxes: [],
  };
}

export interface NewInvoice {
  customer: StripeObject;
  currency: string;
  billingReason: string;
  lines: InvoiceLineInput[];
  subscription?: StripeObject | null;
  metadata?: Record<string, string>;
  description?: string | null;
  autoAdvance?: boolean;
  defaultPaymentMethod?: string | null;
  periodStart?: number;
  periodEnd?: number;
  created?: number;
}

export function newInvoice(ctx: Ctx, input: NewInvoice): StripeObject {
  const id = newId("in");
  const created = input.created ?? ctx.now();
  const invoice: StripeObject = {
    id,
    object: "invoice",
    account_country: "US",
    account_name: "Creditdesk (sandbox)",
    account_tax_ids: null,
    amount_due: 0,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: 0,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: input.autoAdvance ?? false,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: input.billingReason,
    collection_method: "charge_automatically",
    created,
    currency: input.currency,
    custom_fields: null,
    customer: input.customer.id,
    customer_account: null,
    customer_address: null,
    customer_email: input.customer.email,
    customer_name: input.customer.name,
    customer_phone: input.customer.phone,
    customer_shipping: null,
    customer_tax_exempt: "none",
    customer_tax_ids: [],
    default_payment_method: input.defaultPaymentMethod ?? null,
    default_source: null,
    default_tax_rates: [],
    description: input.description ?? null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: "self" },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: "list", data: [], has_more: false, total_count: 0, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: input.metadata ?? {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: input.subscription
      ? { type: "subscription_details", quote_details: null, subscription_details: { metadata: clone(input.subscription.metadata), subscription: input.subscription.id } }
      : null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: input.periodEnd ?? created,
    period_start: input.periodStart ?? created,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: "draft",
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: 0,
    subtotal_excluding_tax: 0,
    test_clock: input.customer.test_clock ?? null,
    total: 0,
    total_discount_amounts: [],
    total_excluding_tax: 0,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
  for (const line of input.lines) invoice.lines.data.push(lineItem(id, input.currency, line));
  recompute(invoice);
  return ctx.put(invoice);
}

function recompute(invoice: StripeObject): void {
  const total = invoice.lines.data.reduce((sum: number, l: StripeObject) => sum + l.amount, 0);
  invoice.lines.total_count = invoice.lines.data.length;
  invoice.subtotal = total;
  invoice.subtotal_excluding_tax = total;
  invoice.total = total;
  invoice.total_excluding_tax = total;
  invoice.amount_due = total;
  invoice.amount_remaining = total - invoice.amount_paid;
}

export function finalize(ctx: Ctx, invoice: StripeObject, at = ctx.now()): StripeObject {
  if (invoice.status !== "draft") return invoice;
  const customer = getObject(ctx.state, invoice.customer, "customer");
  ctx.state.invoiceCounter += 1;
  invoice.number = `${customer.invoice_prefix}-${String(customer.next_invoice_sequence++).padStart(4, "0")}`;
  invoice.status = "open";
  invoice.effective_at = at;
  invoice.status_transitions.finalized_at = at;
  invoice.hosted_invoice_url = `${ctx.publicUrl}/i/${invoice.id}`;
  invoice.invoice_pdf = `${ctx.publicUrl}/i/${invoice.id}/pdf`;
  invoice.ending_balance = 0;
  ctx.changed();
  return invoice;
}

/** Marks the invoice paid by a succeeded payment intent; a subscription waiting on it becomes active again. */
export function markInvoicePaid(ctx: Ctx, invoice: StripeObject, pi: StripeObject | null, at = ctx.now()): StripeObject {
  if (pi) ctx.state.internal.invoiceOfPaymentIntent[pi.id] = invoice.id;
  invoice.status = "paid";
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.attempted = true;
  invoice.attempt_count = Math.max(invoice.attempt_count, 1);
  invoice.next_payment_attempt = null;
  invoice.status_transitions.paid_at = at;
  invoice.webhooks_delivered_at = at;
  ctx.changed();
  ctx.emit("invoice.paid", invoice, undefined, at);
  const subId = invoice.parent?.subscription_details?.subscription;
  const sub = subId ? ctx.state.objects[subId] : undefined;
  if (sub && sub.status !== "active" && sub.status !== "canceled" && sub.latest_invoice === invoice.id) {
    const previous = { status: sub.status };
    sub.status = "active";
    ctx.changed();
    ctx.emit("customer.subscription.updated", sub, previous, at);
  }
  return invoice;
}

/** Which saved card pays an invoice: explicit, the invoice's, the subscription's, then the customer's default. */
export function paymentMethodForInvoice(ctx: Ctx, invoice: StripeObject, explicit?: string): string | null {
  if (explicit) return explicit;
  if (invoice.default_payment_method) return invoice.default_payment_method;
  const subId = invoice.parent?.subscription_details?.subscription;
  const sub = subId ? ctx.state.objects[subId] : undefined;
  if (sub?.default_payment_method) return sub.default_payment_method;
  const customer = ctx.state.objects[invoice.customer];
  return customer?.invoice_settings?.default_payment_method ?? null;
}

export type InvoicePaymentResult = { kind: "paid" | "declined" | "requires_action"; pi: StripeObject | null };

/** One payment attempt. Emits invoice.paid or invoice.payment_failed (+ payment_action_required for 3DS). */
export function attemptInvoicePayment(
  ctx: Ctx,
  invoice: StripeObject,
  options: { paymentMethod?: string; onSession: boolean; at?: number; outcome?: ChargeOutcome },
): InvoicePaymentResult {
  const at = options.at ?? ctx.now();
  if (invoice.status === "draft") finalize(ctx, invoice, at);
  if (invoice.amount_due === 0) {
    markInvoicePaid(ctx, invoice, null, at);
    return { kind: "paid", pi: null };
  }
  const pmId = paymentMethodForInvoice(ctx, invoice, options.paymentMethod);
  if (!pmId) {
    throw invalidRequest("This customer has no attached payment source or default payment method. Please consider adding a default payment method.", undefined, "invoice_no_payment_method_types");
  }
  const pm = getObject(ctx.state, pmId, "payment_method", "payment_method");
  const pi = newPaymentIntent(ctx, {
    amount: invoice.amount_remaining,
    currency: invoice.currency,
    customer: invoice.customer,
    paymentMethod: pm,
    description: invoice.billing_reason === "subscription_cycle" ? "Subscription update" : invoice.billing_reason === "subscription_create" ? "Subscription creation" : `Invoice ${invoice.number}`,
  });
  ctx.state.internal.invoiceOfPaymentIntent[pi.id] = invoice.id;
  invoice.attempted = true;
  invoice.attempt_count += 1;
  confirmPaymentIntent(ctx, pi, { onSession: options.onSession, returnUrl: invoice.hosted_invoice_url, outcome: options.outcome });
  if (pi.status === "succeeded") {
    markInvoicePaid(ctx, invoice, pi, at);
    return { kind: "paid", pi };
  }
  invoice.next_payment_attempt = null;
  ctx.changed();
  if (pi.status === "requires_action") {
    ctx.emit("invoice.payment_action_required", invoice, undefined, at);
  }
  ctx.emit("invoice.payment_failed", invoice, undefined, at);
  return { kind: pi.status === "requires_action" ? "requires_action" : "declined", pi };
}

/** Called when a 3-D Secure challenge for an invoice's payment intent completes. */
export function settleInvoiceAfterAuthentication(ctx: Ctx, pi: StripeObject): void {
  const invoiceId = ctx.state.internal.invoiceOfPaymentIntent[pi.id];
  const invoice = invoiceId ? ctx.state.objects[invoiceId] : undefined;
  if (!invoice || invoice.status === "paid") return;
  if (pi.status === "succeeded") markInvoicePaid(ctx, invoice, pi);
  else ctx.emit("invoice.payment_failed", invoice);
}

// ---- API: invoice items ----

export function createInvoiceItem(ctx: Ctx, params: FormObject): StripeObject {
  const customerId = str(params.customer);
  if (!customerId) throw missingParam("customer");
  const customer = getObject(ctx.state, customerId, "customer", "customer");
  const amount = int(params.amount, "amount");
  if (amount === undefined) throw invalidRequest("You must specify either `amount`, `pricing[price]`, `price_data`, or `unit_amount_decimal`.", "amount");
  const currency = (str(params.currency) ?? customer.currency ?? "usd").toLowerCase();
  const invoiceId = str(params.invoice) ?? null;
  const invoice = invoiceId ? getObject(ctx.state, invoiceId, "invoice", "invoice") : null;
  if (invoice && invoice.status !== "draft") throw invalidRequest("You can only add invoice items to draft invoices.", "invoice");
  const now = ctx.nowFor(customerId);
  const item: StripeObject = {
    id: newId("ii"),
    object: "invoiceitem",
    amount,
    currency,
    customer: customerId,
    customer_account: null,
    date: now,
    description: str(params.description) ?? null,
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: mergeMetadata({}, params.metadata),
    net_amount: amount,
    parent: null,
    period: { start: now, end: now },
    pricing: null,
    proration: false,
    quantity: 1,
    quantity_decimal: "1",
    tax_rates: [],
    test_clock: customer.test_clock ?? null,
  };
  ctx.put(item);
  if (invoice) addItemToInvoice(invoice, item);
  return ctx.expand(item, params);
}

function addItemToInvoice(invoice: StripeObject, item: StripeObject): void {
  item.invoice = invoice.id;
  invoice.lines.data.push(
    lineItem(invoice.id, invoice.currency, { amount: item.amount, description: item.description, quantity: 1, period: item.period, invoiceItem: item.id, metadata: clone(item.metadata ?? {}) }),
  );
  recompute(invoice);
}

export function retrieveInvoiceItem(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "invoiceitem"), params);
}

export function listInvoiceItems(ctx: Ctx, params: FormObject): StripeObject {
  const customer = str(params.customer);
  const invoice = str(params.invoice);
  const pending = bool(params.pending);
  const items = ctx.all("invoiceitem", (i) => (!customer || i.customer === customer) && (!invoice || i.invoice === invoice) && (pending === undefined || (i.invoice === null) === pending));
  return ctx.expand(ctx.list("/v1/invoiceitems", items, params), params);
}

// ---- API: invoices ----

export function createInvoice(ctx: Ctx, params: FormObject): StripeObject {
  const customerId = str(params.customer);
  if (!customerId) throw missingParam("customer");
  const customer = getObject(ctx.state, customerId, "customer", "customer");
  const collection = str(params.collection_method) ?? "charge_automatically";
  if (collection !== "charge_automatically") throw invalidRequest("The sandbox only supports collection_method=charge_automatically.", "collection_method");
  const pmId = str(params.default_payment_method);
  if (pmId) getObject(ctx.state, pmId, "payment_method", "default_payment_method");
  const behavior = str(params.pending_invoice_items_behavior) ?? "exclude";
  const pending = behavior === "include" ? ctx.all("invoiceitem", (i) => i.customer === customerId && i.invoice === null).reverse() : [];
  const currency = (str(params.currency) ?? pending[0]?.currency ?? customer.currency ?? "usd").toLowerCase();
  const invoice = newInvoice(ctx, {
    customer,
    currency,
    billingReason: "manual",
    lines: [],
    metadata: mergeMetadata({}, params.metadata),
    description: str(params.description),
    autoAdvance: bool(params.auto_advance) ?? false,
    defaultPaymentMethod: pmId ?? null,
    created: ctx.nowFor(customerId),
  });
  for (const item of pending) addItemToInvoice(invoice, item);
  ctx.changed();
  return ctx.expand(invoice, params);
}

export function retrieveInvoice(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "invoice"), params);
}

export function listInvoices(ctx: Ctx, params: FormObject): StripeObject {
  const customer = str(params.customer);
  const subscription = str(params.subscription);
  const status = str(params.status);
  const items = ctx.all(
    "invoice",
    (i) => (!customer || i.customer === customer) && (!status || i.status === status) && (!subscription || i.parent?.subscription_details?.subscription === subscription),
  );
  return ctx.expand(ctx.list("/v1/invoices", items, params), params);
}

export function listInvoiceLines(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const invoice = getObject(ctx.state, id, "invoice");
  return ctx.list(`/v1/invoices/${id}/lines`, [...invoice.lines.data], params);
}

export function listInvoicePayments(ctx: Ctx, params: FormObject): StripeObject {
  const invoiceId = str(params.invoice);
  // As on Stripe: payment[type]=payment_intent&payment[payment_intent]=pi_… finds the invoice a payment paid.
  const paymentIntent = str(obj(params.payment).payment_intent);
  const invoices = invoiceId ? [getObject(ctx.state, invoiceId, "invoice", "invoice")] : ctx.all("invoice");
  const payments = invoices.flatMap((i) => invoicePayments(ctx, i)).filter((p) => !paymentIntent || (p.payment as { payment_intent?: string }).payment_intent === paymentIntent);
  return ctx.expand(ctx.list("/v1/invoice_payments", payments, params), params);
}

export function finalizeInvoice(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const invoice = getObject(ctx.state, id, "invoice");
  if (invoice.status !== "draft") throw invalidRequest("This invoice is already finalized, you can't re-finalize a non-draft invoice.", undefined, "invoice_not_editable");
  finalize(ctx, invoice);
  ctx.emit("invoice.finalized", invoice);
  if (invoice.amount_due === 0) markInvoicePaid(ctx, invoice, null);
  return ctx.expand(invoice, params);
}

export function payInvoice(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const invoice = getObject(ctx.state, id, "invoice");
  if (invoice.status === "paid") throw invalidRequest("Invoice is already paid", undefined, "invoice_already_paid");
  if (invoice.status === "void" || invoice.status === "uncollectible") throw invalidRequest(`Invoice is ${invoice.status}`, undefined, "invoice_not_editable");
  const result = attemptInvoicePayment(ctx, invoice, { paymentMethod: str(params.payment_method), onSession: !(bool(params.off_session) ?? true) });
  if (result.kind === "declined" && result.pi) throw cardDeclinedError(ctx, result.pi);
  if (result.kind === "requires_action") {
    throw new StripeHttpError(402, "card_error", "This payment requires additional user action before it can be completed successfully. Payment can be completed using the PaymentIntent associated with the invoice.", "invoice_payment_intent_requires_action", undefined, {
      payment_intent: result.pi ? ctx.expand(result.pi, {}) : undefined,
    });
  }
  return ctx.expand(invoice, params);
}

export function voidInvoice(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const invoice = getObject(ctx.state, id, "invoice");
  if (invoice.status !== "open") throw invalidRequest("You can only void open invoices.", undefined, "invoice_not_editable");
  invoice.status = "void";
  invoice.status_transitions.voided_at = ctx.now();
  invoice.amount_remaining = 0;
  // As on Stripe: the invoice's unfinished payment (e.g. waiting for 3-D Secure) is canceled with it.
  for (const payment of invoicePayments(ctx, invoice)) {
    const pi = ctx.state.objects[payment.payment.payment_intent];
    if (pi && pi.status !== "succeeded" && pi.status !== "canceled") cancelPaymentIntent(ctx, { cancellation_reason: "void_invoice" }, pi.id);
  }
  ctx.changed();
  ctx.emit("invoice.voided", invoice);
  return ctx.expand(invoice, params);
}
