import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { packSession, startHarness, type Harness } from "./test-helpers";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());
beforeEach(() => h.receiver.clear());

/** A customer with a card saved through Checkout setup mode, as auto-recharge does it. */
async function customerWithCard(card: string) {
  const customer = await h.stripe.customers.create({ email: `c${Date.now()}@example.com` });
  const session = await h.stripe.checkout.sessions.create({ mode: "setup", customer: customer.id, success_url: "http://app.test/ok" });
  const res = await h.control(`/_sandbox/pay/${session.id}`, { card });
  expect(res.body.result).toBe("complete");
  const pm = (await h.stripe.paymentMethods.list({ customer: customer.id, type: "card" })).data[0];
  await h.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  return { customer, pm };
}

describe("off-session payment intents", () => {
  it("succeeds with a saved 4242 card", async () => {
    const { customer, pm } = await customerWithCard("4242424242424242");
    const pi = await h.stripe.paymentIntents.create({ amount: 2500, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true, metadata: { recharge: "r1" } });
    expect(pi.id).toMatch(/^pi_/);
    expect(pi.status).toBe("succeeded");
    expect(pi.latest_charge).toMatch(/^ch_/);
    const event = await h.receiver.waitFor("payment_intent.succeeded", (e) => e.data.object.id === pi.id);
    expect(event.data.object.metadata).toEqual({ recharge: "r1" });
    expect((await h.stripe.paymentIntents.retrieve(pi.id)).amount_received).toBe(2500);
  });

  it("a saved 0002 card fails with 402 card_error card_declined and payment_intent.payment_failed", async () => {
    const { customer, pm } = await customerWithCard("4000000000000002");
    const error = await h.stripe.paymentIntents
      .create({ amount: 2500, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true })
      .then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    const cardError = error as Stripe.errors.StripeCardError;
    expect(cardError.statusCode).toBe(402);
    expect(cardError.code).toBe("card_declined");
    expect(cardError.decline_code).toBe("generic_decline");
    expect(cardError.payment_intent?.status).toBe("requires_payment_method");
    const event = await h.receiver.waitFor("payment_intent.payment_failed", (e) => e.data.object.customer === customer.id);
    expect(event.data.object.last_payment_error?.code).toBe("card_declined");
  });

  it("a saved 3184 card needs action: next_action link, event, and the link completes it", async () => {
    const { customer, pm } = await customerWithCard("4000002760003184");
    const pi = await h.stripe.paymentIntents.create({ amount: 2500, currency: "usd", customer: customer.id, payment_method: pm.id, off_session: true, confirm: true });
    expect(pi.status).toBe("requires_action");
    expect(pi.next_action?.type).toBe("redirect_to_url");
    const link = pi.next_action!.redirect_to_url!.url!;
    expect(link).toBe(`${h.sandbox.url}/authenticate/${pi.id}`);
    await h.receiver.waitFor("payment_intent.requires_action", (e) => e.data.object.id === pi.id);

    const page = await (await fetch(link)).text();
    expect(page).toContain("Complete authentication");
    const res = await fetch(link, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "result=complete" });
    expect(res.status).toBe(200);
    await h.receiver.waitFor("payment_intent.succeeded", (e) => e.data.object.id === pi.id);
    expect((await h.stripe.paymentIntents.retrieve(pi.id)).status).toBe("succeeded");
  });

  it("accepts Stripe's magic test payment methods", async () => {
    const customer = await h.stripe.customers.create({});
    const ok = await h.stripe.paymentIntents.create({ amount: 700, currency: "usd", customer: customer.id, payment_method: "pm_card_visa", off_session: true, confirm: true });
    expect(ok.status).toBe("succeeded");
    await expect(
      h.stripe.paymentIntents.create({ amount: 700, currency: "usd", customer: customer.id, payment_method: "pm_card_chargeDeclinedInsufficientFunds", off_session: true, confirm: true }),
    ).rejects.toMatchObject({ code: "card_declined", decline_code: "insufficient_funds" });
  });
});

describe("invoices", () => {
  it("item + invoice + finalize + pay gives a paid invoice with hosted page and a real PDF", async () => {
    const { customer } = await customerWithCard("4242424242424242");
    const item = await h.stripe.invoiceItems.create({ customer: customer.id, amount: 2500, currency: "usd", description: "Auto-recharge: 250 credits" });
    expect(item.id).toMatch(/^ii_/);
    const draft = await h.stripe.invoices.create({ customer: customer.id, collection_method: "charge_automatically", auto_advance: false, pending_invoice_items_behavior: "include", metadata: { recharge: "r2" } });
    expect(draft.status).toBe("draft");
    expect(draft.total).toBe(2500);
    expect(draft.hosted_invoice_url).toBeNull();
    const open = await h.stripe.invoices.finalizeInvoice(draft.id);
    expect(open.status).toBe("open");
    expect(open.number).toMatch(/^[A-Z0-9]+-0001$/);
    const paid = await h.stripe.invoices.pay(open.id);
    expect(paid).toMatchObject({ status: "paid", amount_paid: 2500, amount_remaining: 0 });
    expect(paid.hosted_invoice_url).toBe(`${h.sandbox.url}/i/${paid.id}`);
    const event = await h.receiver.waitFor("invoice.paid", (e) => e.data.object.id === paid.id);
    expect(event.data.object.metadata).toEqual({ recharge: "r2" });

    const withPayments = await h.stripe.invoices.retrieve(paid.id, { expand: ["payments"] });
    expect(withPayments.payments?.data[0].payment.payment_intent).toMatch(/^pi_/);
    const listed = await h.stripe.invoices.list({ customer: customer.id });
    expect(listed.data.map((i) => i.id)).toContain(paid.id);

    const html = await (await fetch(paid.hosted_invoice_url!)).text();
    expect(html).toContain("Auto-recharge: 250 credits");
    expect(html).toContain("$25.00");
    const pdf = await fetch(paid.invoice_pdf!);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 8).toString("latin1")).toBe("%PDF-1.4");
    expect(bytes.toString("latin1").trimEnd().endsWith("%%EOF")).toBe(true);
  });

  it("paying with a declining card: 402, invoice stays open, invoice.payment_failed", async () => {
    const { customer } = await customerWithCard("4000000000000341");
    await h.stripe.invoiceItems.create({ customer: customer.id, amount: 900, currency: "usd" });
    const inv = await h.stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: "include" });
    await h.stripe.invoices.finalizeInvoice(inv.id);
    await expect(h.stripe.invoices.pay(inv.id)).rejects.toMatchObject({ statusCode: 402, code: "card_declined" });
    await h.receiver.waitFor("invoice.payment_failed", (e) => e.data.object.id === inv.id);
    expect((await h.stripe.invoices.retrieve(inv.id)).status).toBe("open");
  });

  it("paying with a 3DS card: 402 requires action, hosted invoice links to authentication, then invoice.paid", async () => {
    const { customer } = await customerWithCard("4000002760003184");
    await h.stripe.invoiceItems.create({ customer: customer.id, amount: 900, currency: "usd" });
    const inv = await h.stripe.invoices.create({ customer: customer.id, pending_invoice_items_behavior: "include" });
    await h.stripe.invoices.finalizeInvoice(inv.id);
    const error = (await h.stripe.invoices.pay(inv.id).catch((e) => e)) as Stripe.errors.StripeCardError;
    expect(error.code).toBe("invoice_payment_intent_requires_action");
    const pi = error.payment_intent!;
    const page = await (await fetch(`${h.sandbox.url}/i/${inv.id}`)).text();
    expect(page).toContain(`/authenticate/${pi.id}`);
    const done = await h.control(`/_sandbox/authenticate/${pi.id}`, { result: "complete" });
    expect(done.body.status).toBe("succeeded");
    await h.receiver.waitFor("invoice.paid", (e) => e.data.object.id === inv.id);
  });

  it("voiding an invoice waiting for 3-D Secure cancels its payment: the challenge can no longer pay it", async () => {
    const { customer } = await customerWithCard("4000002760003184");
    const inv = await h.stripe.invoices.create({ customer: customer.id });
    await h.stripe.invoiceItems.create({ customer: customer.id, invoice: inv.id, amount: 900, currency: "usd" });
    await h.stripe.invoices.finalizeInvoice(inv.id);
    const error = (await h.stripe.invoices.pay(inv.id).catch((e) => e)) as Stripe.errors.StripeCardError;
    const pi = error.payment_intent!;
    expect((await h.stripe.invoices.voidInvoice(inv.id)).status).toBe("void");
    expect(await h.stripe.paymentIntents.retrieve(pi.id)).toMatchObject({ status: "canceled", cancellation_reason: "void_invoice" });
    expect((await h.control(`/_sandbox/authenticate/${pi.id}`, { result: "complete" })).status).toBe(400);
    expect((await h.stripe.invoices.retrieve(inv.id)).status).toBe("void");
  });
});

describe("refunds and disputes", () => {
  it("refund by payment intent → charge.refunded with amount_refunded", async () => {
    const session = await packSession(h.stripe);
    await h.control(`/_sandbox/pay/${session.id}`, { card: "4242424242424242" });
    const { payment_intent } = await h.stripe.checkout.sessions.retrieve(session.id);
    const partial = await h.stripe.refunds.create({ payment_intent: payment_intent as string, amount: 500 });
    expect(partial).toMatchObject({ object: "refund", status: "succeeded", amount: 500 });
    expect(partial.id).toMatch(/^re_/);
    const first = await h.receiver.waitFor("charge.refunded");
    expect(first.data.object).toMatchObject({ amount_refunded: 500, refunded: false, payment_intent });
    await h.stripe.refunds.create({ payment_intent: payment_intent as string });
    const second = await h.receiver.waitFor("charge.refunded", (e) => e.data.object.refunded);
    expect(second.data.object.amount_refunded).toBe(1500);
    await expect(h.stripe.refunds.create({ payment_intent: payment_intent as string })).rejects.toMatchObject({ code: "charge_already_refunded" });
  });

  it("sandbox dispute → charge.dispute.created", async () => {
    const session = await packSession(h.stripe);
    await h.control(`/_sandbox/pay/${session.id}`, { card: "4242424242424242" });
    const { payment_intent } = await h.stripe.checkout.sessions.retrieve(session.id);
    const res = await h.control("/_sandbox/dispute", { payment_intent });
    expect(res.status).toBe(200);
    const event = await h.receiver.waitFor("charge.dispute.created");
    expect(event.data.object).toMatchObject({ amount: 1500, payment_intent, status: "needs_response" });
  });
});

describe("API conventions", () => {
  it("replays an idempotent request and rejects the key with different params", async () => {
    const a = await h.stripe.customers.create({ email: "idem@example.com" }, { idempotencyKey: "key-1" });
    const b = await h.stripe.customers.create({ email: "idem@example.com" }, { idempotencyKey: "key-1" });
    expect(b.id).toBe(a.id);
    expect(b.lastResponse.headers["idempotent-replayed"]).toBe("true");
    await expect(h.stripe.customers.create({ email: "other@example.com" }, { idempotencyKey: "key-1" })).rejects.toMatchObject({
      type: "StripeIdempotencyError",
      statusCode: 400,
    });
    const session1 = await packSession(h.stripe, {}).then((s) => s.id);
    const session2 = await packSession(h.stripe, {}).then((s) => s.id);
    expect(session1).not.toBe(session2);
  });

  it("needs a test key: missing → 401, live key → 401", async () => {
    const res = await fetch(`${h.sandbox.url}/v1/customers`);
    expect(res.status).toBe(401);
    expect((await res.json()).error.type).toBe("invalid_request_error");
    const live = new Stripe("sk_live_abcdefghijkl", { host: "127.0.0.1", port: h.sandbox.port, protocol: "http" });
    await expect(live.customers.create({})).rejects.toMatchObject({ type: "StripeAuthenticationError", statusCode: 401 });
  });

  it("unknown ids are 404 resource_missing; unknown URLs are 404", async () => {
    await expect(h.stripe.customers.retrieve("cus_missing")).rejects.toMatchObject({ statusCode: 404, code: "resource_missing", message: "No such customer: 'cus_missing'" });
    const res = await fetch(`${h.sandbox.url}/v1/nothing`, { headers: { authorization: "Bearer sk_test_x" } });
    expect(res.status).toBe(404);
  });

  it("lists events newest first and filters by type", async () => {
    const customer = await h.stripe.customers.create({});
    await h.stripe.paymentIntents.create({ amount: 700, currency: "usd", customer: customer.id, payment_method: "pm_card_visa", off_session: true, confirm: true });
    const events = await h.stripe.events.list({ type: "payment_intent.succeeded", limit: 3 });
    expect(events.data.length).toBeGreaterThan(0);
    expect(events.data.every((e) => e.type === "payment_intent.succeeded")).toBe(true);
    const one = await h.stripe.events.retrieve(events.data[0].id);
    expect(one.id).toBe(events.data[0].id);
  });
});
