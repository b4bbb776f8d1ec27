import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { resourceMissing } from "./errors";

// Stripe objects are open-ended JSON with dozens of fields per type; typing them here would duplicate the
// SDK's declarations without making the sandbox any safer, so they are plain records.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StripeObject = Record<string, any>;

export interface PendingCard {
  number: string;
  email?: string;
  name?: string;
}

/** Session parameters Stripe keeps but does not echo on the session object. */
export interface CheckoutOptions {
  setupFutureUsage: string | null;
  paymentIntentMetadata: Record<string, string>;
  paymentIntentDescription: string | null;
  subscriptionMetadata: Record<string, string>;
  subscriptionDescription: string | null;
}

export interface SandboxState {
  /** Every API object (customers, sessions, invoices, events, ...) by id, in creation order. */
  objects: Record<string, StripeObject>;
  /** What Stripe knows but never shows: the full test card behind a payment method, links between objects. */
  internal: {
    sessionLineItems: Record<string, StripeObject[]>;
    cardNumbers: Record<string, string>;
    invoiceOfPaymentIntent: Record<string, string>;
    sessionOfPaymentIntent: Record<string, string>;
    pendingCheckout: Record<string, PendingCard>;
    checkoutOptions: Record<string, CheckoutOptions>;
  };
  /** Seconds the sandbox clock runs ahead of the wall clock (POST /_sandbox/advance). */
  clockOffset: number;
  invoiceCounter: number;
  idempotency: Record<string, { fingerprint: string; status: number; body: string }>;
}

export function emptyState(): SandboxState {
  return {
    objects: {},
    internal: {
      sessionLineItems: {},
      cardNumbers: {},
      invoiceOfPaymentIntent: {},
      sessionOfPaymentIntent: {},
      pendingCheckout: {},
      checkoutOptions: {},
    },
    clockOffset: 0,
    invoiceCounter: 0,
    idempotency: {},
  };
}

export function loadState(file: string | undefined): SandboxState {
  if (!file || !existsSync(file)) return emptyState();
  try {
    const loaded = JSON.parse(readFileSync(file, "utf8")) as Partial<SandboxState>;
    const base = emptyState();
    return { ...base, ...loaded, internal: { ...base.internal, ...(loaded.internal ?? {}) } };
  } catch {
    // A half-written or hand-edited file must not stop `npm run dev`; start clean instead.
    return emptyState();
  }
}

export function saveState(file: string, state: SandboxState): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}

const NAMES: Record<string, string> = {
  customer: "customer",
  "checkout.session": "checkout.session",
  payment_intent: "payment_intent",
  payment_method: "PaymentMethod",
  invoice: "invoice",
  invoiceitem: "invoiceitem",
  subscription: "subscription",
  charge: "charge",
  refund: "refund",
  setup_intent: "setup_intent",
  event: "event",
  "billing_portal.session": "billing_portal.session",
  "test_helpers.test_clock": "test_clock",
  product: "product",
  price: "price",
  dispute: "dispute",
};

export function getObject(state: SandboxState, id: string | undefined, object: string, param = "id"): StripeObject {
  const found = id ? state.objects[id] : undefined;
  if (!found || found.object !== object) throw resourceMissing(NAMES[object] ?? object, id ?? "", param);
  return found;
}

export function findObject(state: SandboxState, id: string | undefined, object: string): StripeObject | undefined {
  const found = id ? state.objects[id] : undefined;
  return found && found.object === object ? found : undefined;
}

export function putObject<T extends StripeObject>(state: SandboxState, o: T): T {
  state.objects[o.id] = o;
  return o;
}

/** All objects of a type, newest first (Stripe's list order). */
export function allOf(state: SandboxState, object: string, filter: (o: StripeObject) => boolean = () => true): StripeObject[] {
  const out: StripeObject[] = [];
  for (const o of Object.values(state.objects)) if (o.object === object && filter(o)) out.push(o);
  return out.reverse();
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}
