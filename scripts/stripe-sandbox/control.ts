import { completeWithBankTransfer, completeWithCard, settleAsyncPayment } from "./checkout";
import type { Ctx } from "./context";
import { invalidRequest } from "./errors";
import type { FormValue } from "./form";
import { authenticatePaymentIntent } from "./pages";
import { openDispute } from "./refunds";
import { getObject, type StripeObject } from "./state";
import { advanceGlobalClock } from "./test-clocks";
import type { DeliveryMode, WebhookDispatcher } from "./webhooks";

/**
 * `/_sandbox/*`: levers tests pull that Stripe itself does not expose (pay without a browser, move time,
 * change how webhooks are delivered). JSON or form bodies; JSON answers.
 */
export interface ControlHooks {
  reset(): void;
  dispatcher: WebhookDispatcher;
}

export interface ControlResponse {
  status: number;
  body: unknown;
  /** Answered after webhook delivery settles (`/_sandbox/idle`). */
  wait?: Promise<unknown>;
}

type Body = Record<string, FormValue | number | boolean | null | undefined>;

function text(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

function flag(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  return v === true || v === "true" || v === "1" || v === 1;
}

export function setDeliveryMode(dispatcher: WebhookDispatcher, body: Partial<Record<keyof DeliveryMode, unknown>>): DeliveryMode {
  const mode = { ...dispatcher.mode };
  const duplicate = flag(body.duplicate);
  const shuffle = flag(body.shuffle);
  if (duplicate !== undefined) mode.duplicate = duplicate;
  if (shuffle !== undefined) mode.shuffle = shuffle;
  if (body.failFirst !== undefined) mode.failFirst = Math.max(0, Number(body.failFirst) || 0);
  dispatcher.mode = mode;
  return mode;
}

export function handleControl(ctx: Ctx, hooks: ControlHooks, method: string, path: string, body: Body): ControlResponse | null {
  const route = path.replace(/^\/_sandbox/, "").replace(/\/$/, "");
  if (method === "GET" && (route === "" || route === "/health")) return { status: 200, body: { ok: true, now: ctx.now(), webhook_url: hooks.dispatcher.url ?? null } };
  if (method === "GET" && route === "/clock") return { status: 200, body: { now: ctx.now(), offset: ctx.state.clockOffset } };
  if (method === "GET" && route === "/deliveries") return { status: 200, body: { data: hooks.dispatcher.attempts } };
  if (method === "GET" && route === "/delivery-mode") return { status: 200, body: hooks.dispatcher.mode };
  if (method !== "POST" && !(method === "GET" && route === "/idle")) return null;

  if (route === "/reset") {
    hooks.reset();
    return { status: 200, body: { ok: true } };
  }
  if (route === "/advance") {
    const seconds = Number(text(body.seconds) ?? NaN);
    if (!Number.isFinite(seconds)) throw invalidRequest("Missing required param: seconds.", "seconds", "parameter_missing");
    return { status: 200, body: { now: advanceGlobalClock(ctx, seconds) } };
  }
  if (route === "/delivery-mode") return { status: 200, body: setDeliveryMode(hooks.dispatcher, body) };
  if (route === "/webhook") {
    hooks.dispatcher.url = text(body.url) || undefined;
    return { status: 200, body: { webhook_url: hooks.dispatcher.url ?? null } };
  }
  if (route === "/idle") {
    const timeoutMs = Number(text(body.timeout_ms) ?? 30_000);
    const wait = Promise.race([hooks.dispatcher.idle().then(() => true), new Promise((r) => setTimeout(() => r(false), timeoutMs).unref())]);
    return { status: 200, body: null, wait: wait.then((idle) => ({ idle })) };
  }
  if (route === "/dispute") return { status: 200, body: openDispute(ctx, body as never) };

  let m = route.match(/^\/pay\/([^/]+)$/);
  if (m) {
    const session = getObject(ctx.state, m[1], "checkout.session");
    // Tests rarely care about the email; Checkout requires one unless the session has a customer.
    const email = text(body.email) ?? (session.customer || session.customer_email ? undefined : "customer@example.com");
    const result =
      text(body.method) === "bank_transfer"
        ? completeWithBankTransfer(ctx, session, email)
        : payWithCard(ctx, session, body, email);
    const status = result.kind === "declined" ? 402 : result.kind === "invalid" ? 400 : 200;
    return {
      status,
      body: { result: result.kind, redirect: "redirect" in result ? result.redirect : null, message: "message" in result ? result.message : null, session: ctx.expand(session, {}) },
    };
  }
  m = route.match(/^\/async\/([^/]+)\/(succeed|fail)$/);
  if (m) {
    const session = getObject(ctx.state, m[1], "checkout.session");
    return { status: 200, body: settleAsyncPayment(ctx, session, m[2] === "succeed") };
  }
  m = route.match(/^\/authenticate\/([^/]+)$/);
  if (m) {
    const pi = getObject(ctx.state, m[1], "payment_intent");
    const result = text(body.result) ?? "complete";
    return { status: 200, body: authenticatePaymentIntent(ctx, pi, result === "complete") };
  }
  return null;
}

/** Card payment without the browser; a 3-D Secure card is authenticated unless `authenticate: "fail"` (or "none"). */
function payWithCard(ctx: Ctx, session: StripeObject, body: Body, email: string | undefined) {
  const card = text(body.card) ?? "4242424242424242";
  const entry = { number: card, email, name: text(body.name) };
  const first = completeWithCard(ctx, session, entry);
  if (first.kind !== "requires_action") return first;
  const answer = text(body.authenticate) ?? "complete";
  if (answer === "none") return first;
  const pending = ctx.state.internal.pendingCheckout[session.id];
  return completeWithCard(ctx, session, pending ?? entry, answer === "fail" ? "fail" : "complete");
}
