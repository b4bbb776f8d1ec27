import { sandboxNow } from "./clock";
import { arr, str, type FormObject } from "./form";
import { newId } from "./ids";
import { allOf, clone, findObject, putObject, type SandboxState, type StripeObject } from "./state";
import type { WebhookDispatcher } from "./webhooks";

export const API_VERSION = "2026-10-28.endive";

export interface SandboxOptions {
  /** What the portal's "Cancel plan" does: end now (customer.subscription.deleted) or at period end. */
  portalCancel: "immediately" | "at_period_end";
}

/** Everything a handler needs: the state, the clock, the base URL of hosted pages and the event sink. */
export class Ctx {
  request: { id: string | null; idempotency_key: string | null } = { id: null, idempotency_key: null };
  apiVersion = API_VERSION;

  constructor(
    public state: SandboxState,
    public publicUrl: string,
    readonly dispatcher: WebhookDispatcher,
    readonly options: SandboxOptions,
    private readonly onChange: () => void,
  ) {}

  now(): number {
    return sandboxNow(this.state);
  }

  /** A customer on a test clock lives at that clock's frozen time. */
  nowFor(customerId: string | null | undefined): number {
    const customer = findObject(this.state, customerId ?? undefined, "customer");
    const clock = customer?.test_clock ? findObject(this.state, customer.test_clock, "test_helpers.test_clock") : undefined;
    return clock ? clock.frozen_time : this.now();
  }

  put<T extends StripeObject>(o: T): T {
    putObject(this.state, o);
    this.onChange();
    return o;
  }

  changed(): void {
    this.onChange();
  }

  /** Records an event with a snapshot of the object (as Stripe does) and hands it to the dispatcher. */
  emit(type: string, object: StripeObject, previousAttributes?: StripeObject, created?: number): StripeObject {
    const event: StripeObject = {
      id: newId("evt"),
      object: "event",
      api_version: this.apiVersion,
      created: created ?? this.now(),
      data: previousAttributes ? { object: clone(object), previous_attributes: previousAttributes } : { object: clone(object) },
      livemode: false,
      pending_webhooks: this.dispatcher.url ? 1 : 0,
      request: { ...this.request },
      type,
    };
    this.put(event);
    this.dispatcher.enqueue(event);
    return event;
  }

  /** Stripe's list envelope with limit / starting_after / ending_before over newest-first data. */
  list(url: string, items: StripeObject[], params: FormObject): StripeObject {
    const limit = Math.min(Math.max(Number(str(params.limit) ?? 10) || 10, 1), 100);
    let start = 0;
    const after = str(params.starting_after);
    const before = str(params.ending_before);
    if (after) start = items.findIndex((o) => o.id === after) + 1;
    let slice: StripeObject[];
    if (before) {
      const end = items.findIndex((o) => o.id === before);
      slice = items.slice(Math.max(0, end - limit), Math.max(0, end));
      return { object: "list", data: slice, has_more: end - limit > 0, url };
    }
    slice = items.slice(start, start + limit);
    return { object: "list", data: slice, has_more: start + limit < items.length, url };
  }

  all(object: string, filter?: (o: StripeObject) => boolean): StripeObject[] {
    return allOf(this.state, object, filter);
  }

  /** Applies `expand[]` paths (`subscription`, `latest_invoice.payments`, `data.customer`) to a copy. */
  expand(o: StripeObject, params: FormObject): StripeObject {
    const paths = arr(params.expand).filter((p): p is string => typeof p === "string");
    if (paths.length === 0) return o;
    const copy = clone(o);
    for (const path of paths) this.expandPath(copy, path.split("."));
    return copy;
  }

  private expandPath(target: StripeObject, segments: string[]): void {
    if (!target || typeof target !== "object" || segments.length === 0) return;
    const [head, ...rest] = segments;
    if (head === "data" && target.object === "list" && Array.isArray(target.data)) {
      for (const item of target.data) this.expandPath(item, rest);
      return;
    }
    let value = target[head];
    if (value === undefined || value === null || typeof value === "string") {
      value = this.resolve(target, head, value);
      if (value === undefined) return;
      target[head] = value;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (typeof value[i] === "string" && this.state.objects[value[i]]) value[i] = clone(this.state.objects[value[i]]);
        this.expandPath(value[i], rest);
      }
      return;
    }
    this.expandPath(value, rest);
  }

  private resolve(target: StripeObject, field: string, value: unknown): StripeObject | undefined {
    if (typeof value === "string") {
      const found = this.state.objects[value];
      return found ? clone(found) : undefined;
    }
    // Includable fields: not part of the object unless asked for.
    if (target.object === "checkout.session" && field === "line_items") {
      const items = this.state.internal.sessionLineItems[target.id] ?? [];
      return this.list(`/v1/checkout/sessions/${target.id}/line_items`, clone(items), {});
    }
    if (target.object === "invoice" && field === "payments") {
      return this.list(`/v1/invoice_payments`, clone(invoicePayments(this, target)), {});
    }
    return undefined;
  }
}

/** InvoicePayment objects are derived from the payment intents that tried to pay the invoice. */
export function invoicePayments(ctx: Ctx, invoice: StripeObject): StripeObject[] {
  return Object.entries(ctx.state.internal.invoiceOfPaymentIntent)
    .filter(([, inv]) => inv === invoice.id)
    .map(([piId], index, all) => {
      const pi = ctx.state.objects[piId];
      return {
        id: `inpay_${piId.slice(3)}`,
        object: "invoice_payment",
        amount_paid: pi?.status === "succeeded" ? pi.amount_received : null,
        amount_requested: pi?.amount ?? invoice.amount_due,
        created: pi?.created ?? invoice.created,
        currency: invoice.currency,
        invoice: invoice.id,
        is_default: index === all.length - 1,
        livemode: false,
        payment: { type: "payment_intent", payment_intent: piId },
        status: pi?.status === "succeeded" ? "paid" : pi?.status === "canceled" ? "canceled" : "open",
        status_transitions: { canceled_at: null, paid_at: pi?.status === "succeeded" ? pi.created : null },
      };
    })
    .reverse();
}
