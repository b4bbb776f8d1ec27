import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createStripeClient } from "../../lib/billing/stripe";
import { parseForm } from "./form";
import { buildPdf } from "./pdf";
import { startStripeSandbox } from "./server";
import { packSession, startHarness, WEBHOOK_SECRET, type Harness } from "./test-helpers";
import { signPayload } from "./webhooks";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ maxDeliveryAttempts: 4, retryBaseMs: 10 });
});
afterAll(() => h.stop());
beforeEach(async () => {
  await h.sandbox.idle();
  h.sandbox.setDeliveryMode({ duplicate: false, shuffle: false, failFirst: 0 });
  h.receiver.clear();
  h.receiver.failNext = 0;
  h.sandbox.reset();
});

/** Five quick off-session payments: five payment_intent.succeeded events, in creation order. */
async function fivePayments(): Promise<string[]> {
  const customer = await h.stripe.customers.create({});
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const pi = await h.stripe.paymentIntents.create({ amount: 100 + i, currency: "usd", customer: customer.id, payment_method: "pm_card_visa", off_session: true, confirm: true });
    ids.push(pi.id);
  }
  await h.sandbox.idle();
  return ids;
}

describe("webhook delivery", () => {
  it("signs like Stripe: constructEvent accepts it, a wrong secret does not", async () => {
    const payload = JSON.stringify({ id: "evt_1", object: "event" });
    const header = signPayload(payload, WEBHOOK_SECRET);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(h.stripe.webhooks.constructEvent(payload, header, WEBHOOK_SECRET).id).toBe("evt_1");
    expect(() => h.stripe.webhooks.constructEvent(payload, header, "whsec_other")).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it("delivers in order by default, once each, and records the attempts", async () => {
    const ids = await fivePayments();
    expect(h.receiver.ofType("payment_intent.succeeded").map((e) => (e.data.object as Stripe.PaymentIntent).id)).toEqual(ids);
    const attempts = await (await fetch(`${h.sandbox.url}/_sandbox/deliveries`)).json();
    expect(attempts.data.filter((a: { ok: boolean }) => a.ok)).toHaveLength(h.receiver.events.length);
    const listed = await h.stripe.events.list({ limit: 100 });
    expect(listed.data).toHaveLength(h.receiver.events.length);
    expect(listed.data[0].pending_webhooks).toBe(1);
  });

  it("duplicate mode delivers every event twice with the same id", async () => {
    await h.control("/_sandbox/delivery-mode", { duplicate: true });
    await fivePayments();
    const got = h.receiver.ofType("payment_intent.succeeded");
    expect(got).toHaveLength(10);
    expect(new Set(got.map((e) => e.id)).size).toBe(5);
  });

  it("shuffle mode delivers all events of a burst, in some order", async () => {
    h.sandbox.setDeliveryMode({ shuffle: true });
    const orders = new Set<string>();
    for (let round = 0; round < 4 && orders.size < 2; round++) {
      h.receiver.clear();
      const session = await packSession(h.stripe, { invoice_creation: { enabled: true } });
      await h.control(`/_sandbox/pay/${session.id}`, { card: "4242424242424242" });
      await h.sandbox.idle();
      const types = h.receiver.events.map((e) => e.type);
      expect([...types].sort()).toEqual(["checkout.session.completed", "invoice.paid", "payment_intent.succeeded"]);
      orders.add(types.join(","));
    }
    // Three events shuffled four times all landing in creation order is a 1-in-1296 fluke.
    expect(orders.size).toBeGreaterThan(1);
  });

  it("failFirst: every event fails N times, then is delivered by a retry", async () => {
    h.sandbox.setDeliveryMode({ failFirst: 2 });
    const ids = await fivePayments();
    expect(h.receiver.ofType("payment_intent.succeeded").map((e) => (e.data.object as Stripe.PaymentIntent).id).sort()).toEqual([...ids].sort());
    expect(h.receiver.requests).toBeGreaterThan(0);
    const attempts = h.sandbox.deliveries().filter((a) => a.type === "payment_intent.succeeded");
    expect(attempts.filter((a) => !a.ok)).toHaveLength(10);
    expect(attempts.filter((a) => a.ok).every((a) => a.attempt === 3)).toBe(true);
  });

  it("retries with backoff when the receiver answers 500, and gives up after maxDeliveryAttempts", async () => {
    h.receiver.failNext = 2;
    const customer = await h.stripe.customers.create({});
    const pi = await h.stripe.paymentIntents.create({ amount: 100, currency: "usd", customer: customer.id, payment_method: "pm_card_visa", off_session: true, confirm: true });
    await h.receiver.waitFor("payment_intent.succeeded", (e) => e.data.object.id === pi.id);
    await h.sandbox.idle();
    const attempts = h.sandbox.deliveries();
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    const gaps = attempts.slice(1).map((a, i) => Date.parse(a.at) - Date.parse(attempts[i].at));
    expect(gaps[1]).toBeGreaterThanOrEqual(gaps[0]);

    h.receiver.failNext = 100;
    await h.stripe.paymentIntents.create({ amount: 100, currency: "usd", customer: customer.id, payment_method: "pm_card_visa", off_session: true, confirm: true });
    await h.sandbox.idle();
    expect(h.sandbox.deliveries().filter((a) => a.attempt > 1 && a.status === 500).length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...h.sandbox.deliveries().map((a) => a.attempt))).toBe(4);
  });

  it("the /_sandbox/idle endpoint waits for pending deliveries", async () => {
    h.receiver.failNext = 1;
    const customer = await h.stripe.customers.create({});
    await h.stripe.paymentIntents.create({ amount: 100, currency: "usd", customer: customer.id, payment_method: "pm_card_visa", off_session: true, confirm: true });
    const res = await h.control("/_sandbox/idle");
    expect(res.body).toEqual({ idle: true });
    expect(h.receiver.ofType("payment_intent.succeeded")).toHaveLength(1);
  });
});

describe("persistence", () => {
  it("a restart with the same stateFile keeps customers", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "stripe-sandbox-"));
    const stateFile = path.join(dir, "state.json");
    try {
      const first = await startStripeSandbox({ webhookSecret: WEBHOOK_SECRET, stateFile });
      const customer = await createStripeClient({ sandboxUrl: first.url }).customers.create({ email: "kept@example.com" });
      await first.stop();
      const second = await startStripeSandbox({ webhookSecret: WEBHOOK_SECRET, stateFile });
      const again = await createStripeClient({ sandboxUrl: second.url }).customers.retrieve(customer.id);
      expect(again).toMatchObject({ id: customer.id, email: "kept@example.com" });
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("form parsing", () => {
  it("rebuilds the SDK's bracket notation into objects and arrays", () => {
    const body =
      "mode=payment&line_items[0][price_data][currency]=usd&line_items[0][price_data][product_data][name]=500%20credits&line_items[0][quantity]=2" +
      "&line_items[1][price]=price_1&metadata[a]=1&expand[0]=line_items&expand[1]=payment_intent&tags[]=x&tags[]=y&flag=true&empty=";
    expect(parseForm(body)).toEqual({
      mode: "payment",
      line_items: [{ price_data: { currency: "usd", product_data: { name: "500 credits" } }, quantity: "2" }, { price: "price_1" }],
      metadata: { a: "1" },
      expand: ["line_items", "payment_intent"],
      tags: ["x", "y"],
      flag: "true",
      empty: "",
    });
    expect(parseForm("a%5Bb%5D=c+d")).toEqual({ a: { b: "c d" } });
  });
});

describe("pdf", () => {
  it("has a correct xref table", () => {
    const pdf = buildPdf([{ text: "Invoice (test) 1 × 2" }]).toString("latin1");
    const xref = Number(pdf.match(/startxref\n(\d+)/)![1]);
    expect(pdf.slice(xref, xref + 4)).toBe("xref");
    const offsets = [...pdf.matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    offsets.forEach((off, i) => expect(pdf.slice(off, off + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
    expect(pdf).toContain("(Invoice \\(test\\) 1 x 2) Tj");
  });
});
