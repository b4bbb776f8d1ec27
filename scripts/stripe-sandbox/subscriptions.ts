import { addInterval } from "./clock";
import type { Ctx } from "./context";
import { invalidRequest } from "./errors";
import { bool, int, mergeMetadata, obj, str, type FormObject, type FormValue } from "./form";
import { newId } from "./ids";
import { attemptInvoicePayment, finalize, newInvoice } from "./invoices";
import { planFromPrice } from "./prices";
import { clone, getObject, type StripeObject } from "./state";

export interface SubscriptionLine {
  price: StripeObject;
  quantity: number;
}

function periodEnd(sub: StripeObject, start: number): number {
  const price = sub.items.data[0].price;
  return addInterval(start, price.recurring.interval, price.recurring.interval_count);
}

function setPeriod(sub: StripeObject, start: number, end: number): void {
  for (const item of sub.items.data) {
    item.current_period_start = start;
    item.current_period_end = end;
  }
  // Recent API versions moved the period onto items; the top-level copy is kept for code written against older ones.
  sub.current_period_start = start;
  sub.current_period_end = end;
}

export function newSubscription(
  ctx: Ctx,
  input: { customer: StripeObject; lines: SubscriptionLine[]; metadata: Record<string, string>; defaultPaymentMethod: string | null; description?: string | null },
): StripeObject {
  const id = newId("sub");
  const start = ctx.nowFor(input.customer.id);
  const sub: StripeObject = {
    id,
    object: "subscription",
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: start,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: "classic" },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: "charge_automatically",
    created: start,
    currency: input.lines[0].price.currency,
    customer: input.customer.id,
    customer_account: null,
    days_until_due: null,
    default_payment_method: input.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: input.description ?? null,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, issuer: { type: "self" } },
    items: {
      object: "list",
      data: input.lines.map((line) => ({
        id: newId("si", 14),
        object: "subscription_item",
        billing_thresholds: null,
        created: start,
        current_period_end: 0,
        current_period_start: 0,
        current_trial: null,
        discounts: [],
        metadata: {},
        plan: planFromPrice(line.price),
        price: clone(line.price),
        quantity: line.quantity,
        subscription: id,
        tax_rates: [],
      })),
      has_more: false,
      total_count: input.lines.length,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: "off" },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: start,
    status: "incomplete",
    test_clock: input.customer.test_clock ?? null,
    transfer_data: null,
    trial_end: null,
    trial_settings: { end_behavior: { missing_payment_method: "create_invoice" } },
    trial_start: null,
  };
  setPeriod(sub, start, periodEnd(sub, start));
  return ctx.put(sub);
}

/** The invoice for one billing period of a subscription (first one or a renewal). */
export function periodInvoice(ctx: Ctx, sub: StripeObject, billingReason: "subscription_create" | "subscription_cycle", at: number): StripeObject {
  const customer = getObject(ctx.state, sub.customer, "customer");
  const start = sub.items.data[0].current_period_start;
  const end = sub.items.data[0].current_period_end;
  const invoice = newInvoice(ctx, {
    customer,
    currency: sub.currency,
    billingReason,
    subscription: sub,
    lines: sub.items.data.map((item: StripeObject) => ({
      amount: item.price.unit_amount * item.quantity,
      description: `${item.quantity} × ${productName(ctx, item.price)} (at ${formatAmount(item.price.unit_amount, item.price.currency)} / ${item.price.recurring.interval})`,
      quantity: item.quantity,
      period: { start, end },
      price: item.price,
      subscription: sub.id,
      subscriptionItem: item.id,
    })),
    periodStart: start,
    periodEnd: end,
    created: at,
    autoAdvance: true,
  });
  sub.latest_invoice = invoice.id;
  finalize(ctx, invoice, at);
  return invoice;
}

function productName(ctx: Ctx, price: StripeObject): string {
  return ctx.state.objects[price.product]?.name ?? "Plan";
}

export function formatAmount(amount: number, currency: string): string {
  const zeroDecimal = ["jpy", "krw", "vnd", "clp"].includes(currency);
  const value = zeroDecimal ? amount : amount / 100;
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(value);
  } catch {
    return `${value} ${currency.toUpperCase()}`;
  }
}

export function cancelNow(ctx: Ctx, sub: StripeObject, at: number, reason: string, comment: string | null = null): StripeObject {
  if (sub.status === "canceled") return sub;
  sub.status = "canceled";
  sub.canceled_at = sub.canceled_at ?? at;
  sub.ended_at = at;
  sub.cancellation_details = { comment, feedback: null, reason };
  ctx.changed();
  ctx.emit("customer.subscription.deleted", sub, undefined, at);
  return sub;
}

export function setCancelAtPeriodEnd(ctx: Ctx, sub: StripeObject, value: boolean, comment: string | null = null): StripeObject {
  if (sub.cancel_at_period_end === value) return sub;
  const previous = { cancel_at_period_end: sub.cancel_at_period_end, cancel_at: sub.cancel_at, canceled_at: sub.canceled_at, cancellation_details: clone(sub.cancellation_details) };
  sub.cancel_at_period_end = value;
  sub.cancel_at = value ? sub.items.data[0].current_period_end : null;
  sub.canceled_at = value ? ctx.nowFor(sub.customer) : null;
  sub.cancellation_details = value ? { comment, feedback: null, reason: "cancellation_requested" } : { comment: null, feedback: null, reason: null };
  ctx.changed();
  ctx.emit("customer.subscription.updated", sub, previous);
  return sub;
}

/**
 * Stripe's `pause_collection` with behavior `void`: the period's invoice is still made and finalized, then
 * voided at once. No payment is attempted, so there is no invoice.paid (nothing to grant) and the
 * subscription stays active. A `resumes_at` that has passed ends the pause first, as Stripe does.
 */
function collectionPausedAt(ctx: Ctx, sub: StripeObject, at: number): boolean {
  const pause = sub.pause_collection;
  if (!pause) return false;
  if (pause.resumes_at != null && pause.resumes_at <= at) {
    const previous = { pause_collection: clone(pause) };
    sub.pause_collection = null;
    ctx.changed();
    ctx.emit("customer.subscription.updated", sub, previous, at);
    return false;
  }
  return true;
}

function voidPausedInvoice(ctx: Ctx, invoice: StripeObject, at: number): void {
  invoice.status = "void";
  invoice.status_transitions.voided_at = at;
  invoice.amount_remaining = 0;
  invoice.next_payment_attempt = null;
  ctx.changed();
  ctx.emit("invoice.voided", invoice, undefined, at);
}

/**
 * Bills every subscription whose period ended by `now` (one invoice per elapsed period), ending those set to
 * cancel at period end; a period whose collection is paused gets a voided invoice instead of a charge.
 * `clockId` limits the run to customers on that test clock (null = the global clock).
 */
export function runRenewals(ctx: Ctx, now: number, clockId: string | null): void {
  const subs = ctx.all("subscription", (s) => (s.status === "active" || s.status === "past_due") && (s.test_clock ?? null) === clockId).reverse();
  for (const sub of subs) {
    for (let guard = 0; guard < 500; guard++) {
      const end = sub.items.data[0].current_period_end;
      if (end > now || sub.status === "canceled") break;
      if (sub.cancel_at_period_end || (sub.cancel_at && sub.cancel_at <= end)) {
        cancelNow(ctx, sub, end, "cancellation_requested", sub.cancellation_details?.comment ?? null);
        break;
      }
      const previous = { items: clone(sub.items), latest_invoice: sub.latest_invoice, status: sub.status };
      setPeriod(sub, end, periodEnd(sub, end));
      const paused = collectionPausedAt(ctx, sub, end);
      const invoice = periodInvoice(ctx, sub, "subscription_cycle", end);
      if (paused) {
        voidPausedInvoice(ctx, invoice, end);
        ctx.emit("customer.subscription.updated", sub, previous, end);
        continue;
      }
      const result = attemptInvoicePayment(ctx, invoice, { onSession: false, at: end });
      if (result.kind !== "paid" && sub.status === "active") sub.status = "past_due";
      ctx.changed();
      ctx.emit("customer.subscription.updated", sub, previous, end);
    }
  }
}

// ---- API ----

export function retrieveSubscription(ctx: Ctx, params: FormObject, id: string): StripeObject {
  return ctx.expand(getObject(ctx.state, id, "subscription"), params);
}

export function listSubscriptions(ctx: Ctx, params: FormObject): StripeObject {
  const customer = str(params.customer);
  const status = str(params.status);
  const items = ctx.all(
    "subscription",
    (s) => (!customer || s.customer === customer) && (status === "all" ? true : status ? s.status === status : s.status !== "canceled"),
  );
  return ctx.expand(ctx.list("/v1/subscriptions", items, params), params);
}

export function updateSubscription(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const sub = getObject(ctx.state, id, "subscription");
  if (sub.status === "canceled") {
    throw invalidRequest("A canceled subscription can only update its cancellation_details and metadata.");
  }
  const comment = str(obj(params.cancellation_details).comment) ?? null;
  const cancelAtPeriodEnd = bool(params.cancel_at_period_end);
  if (cancelAtPeriodEnd !== undefined) setCancelAtPeriodEnd(ctx, sub, cancelAtPeriodEnd, comment);
  const previous: StripeObject = {};
  if (params.metadata !== undefined) {
    previous.metadata = clone(sub.metadata);
    sub.metadata = mergeMetadata(sub.metadata, params.metadata);
  }
  const pm = str(params.default_payment_method);
  if (pm !== undefined) {
    if (pm) getObject(ctx.state, pm, "payment_method", "default_payment_method");
    previous.default_payment_method = sub.default_payment_method;
    sub.default_payment_method = pm || null;
  }
  if (params.pause_collection !== undefined) {
    const pause = parsePauseCollection(params.pause_collection);
    previous.pause_collection = clone(sub.pause_collection);
    sub.pause_collection = pause;
  }
  const cancelAt = int(params.cancel_at, "cancel_at");
  if (cancelAt !== undefined) {
    previous.cancel_at = sub.cancel_at;
    sub.cancel_at = cancelAt;
  }
  if (Object.keys(previous).length > 0) {
    ctx.changed();
    ctx.emit("customer.subscription.updated", sub, previous);
  }
  return ctx.expand(sub, params);
}

/** `pause_collection=` (empty) resumes; `pause_collection[behavior]=void` (+ optional `resumes_at`) pauses. */
function parsePauseCollection(value: FormValue): StripeObject | null {
  if (value === "") return null;
  const behavior = str(obj(value).behavior);
  if (!behavior) throw invalidRequest("Missing required param: pause_collection[behavior].", "pause_collection[behavior]", "parameter_missing");
  if (!["keep_as_draft", "mark_uncollectible", "void"].includes(behavior)) {
    throw invalidRequest(`Invalid pause_collection[behavior]: must be one of keep_as_draft, mark_uncollectible, or void`, "pause_collection[behavior]");
  }
  // Only what the app uses is imitated (SPEC §16); say so rather than behave unlike Stripe.
  if (behavior !== "void") throw invalidRequest(`The sandbox imitates only pause_collection[behavior]=void, not ${behavior}.`, "pause_collection[behavior]");
  const resumesAt = int(obj(value).resumes_at, "pause_collection[resumes_at]") ?? null;
  return { behavior, resumes_at: resumesAt };
}

export function cancelSubscription(ctx: Ctx, params: FormObject, id: string): StripeObject {
  const sub = getObject(ctx.state, id, "subscription");
  if (sub.status === "canceled") {
    throw invalidRequest("This subscription has already been canceled.", undefined, "subscription_canceled");
  }
  cancelNow(ctx, sub, ctx.nowFor(sub.customer), "cancellation_requested", str(obj(params.cancellation_details).comment) ?? null);
  return ctx.expand(sub, params);
}
