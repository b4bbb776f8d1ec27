import type Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { packSession, startHarness, type Harness } from "./test-helpers";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());
beforeEach(() => h.receiver.clear());

async function form(url: string, fields: Record<string, string>) {
  return fetch(url, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
}

describe("checkout, payment mode", () => {
  it("pays with 4242 and sends a correctly signed checkout.session.completed", async () => {
    const session = await packSession(h.stripe, { invoice_creation: { enabled: true, invoice_data: { metadata: { order: "o1" } } }, payment_intent_data: { metadata: { org: "org_1" } } });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`${h.sandbox.url}/c/pay/${session.id}`);
    expect(session.status).toBe("open");
    expect(session.amount_total).toBe(1500);

    const paid = await h.control(`/_sandbox/pay/${session.id}`, { card: "4242 4242 4242 4242" });
    expect(paid.status).toBe(200);
    expect(paid.body.redirect).toBe(`http://app.test/success?session_id=${session.id}`);

    const event = await h.receiver.waitFor("checkout.session.completed");
    expect(h.receiver.rejected).toEqual([]);
    expect(event.id).toMatch(/^evt_/);
    expect(event.api_version).toBe("2026-10-28.endive");
    const s = event.data.object;
    expect(s.id).toBe(session.id);
    expect(s.payment_status).toBe("paid");
    expect(s.metadata).toEqual({ pack_id: "pack_500" });
    expect(s.client_reference_id).toBe("org_1");
    expect(s.customer).toMatch(/^cus_/);
    expect(s.invoice).toMatch(/^in_/);

    const full = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ["line_items", "payment_intent", "invoice"] });
    const pi = full.payment_intent as Stripe.PaymentIntent;
    expect(pi.status).toBe("succeeded");
    expect(pi.metadata).toEqual({ org: "org_1" });
    expect(full.line_items?.data[0]).toMatchObject({ description: "500 credits", quantity: 1, amount_total: 1500 });
    const invoice = full.invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ status: "paid", amount_paid: 1500, metadata: { order: "o1" } });
    expect(invoice.hosted_invoice_url).toContain("/i/");
    await h.receiver.waitFor("invoice.paid", (e) => e.data.object.id === invoice.id);
  });

  it("a declined card pays nothing, keeps the session open and sends no completed event", async () => {
    const session = await packSession(h.stripe);
    const res = await h.control(`/_sandbox/pay/${session.id}`, { card: "4000000000000002" });
    expect(res.status).toBe(402);
    expect(res.body.message).toBe("Your card was declined.");
    await h.receiver.waitFor("payment_intent.payment_failed");
    await h.sandbox.idle();
    expect(h.receiver.ofType("checkout.session.completed")).toEqual([]);
    const s = await h.stripe.checkout.sessions.retrieve(session.id);
    expect(s.status).toBe("open");
    expect(s.payment_status).toBe("unpaid");

    // The hosted page shows the decline and stays on the form.
    const page = await form(`${session.url}`, { email: "a@b.co", card_number: "4000 0000 0000 0002" });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Your card was declined.");
  });

  it("3-D Secure card: the hosted page shows a challenge, then completes and redirects (303)", async () => {
    const session = await packSession(h.stripe);
    const challenge = await form(session.url!, { email: "a@b.co", card_number: "4000 0027 6000 3184", card_expiry: "12 / 34", card_cvc: "123" });
    const html = await challenge.text();
    expect(html).toContain("Complete authentication");
    expect(html).toContain("Fail authentication");
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");

    const done = await form(`${session.url}/authenticate`, { result: "complete" });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`http://app.test/success?session_id=${session.id}`);
    const event = await h.receiver.waitFor("checkout.session.completed", (e) => e.data.object.id === session.id);
    expect(event.data.object.payment_status).toBe("paid");
  });

  it("3-D Secure failure declines and leaves the session open", async () => {
    const session = await packSession(h.stripe);
    await form(session.url!, { email: "a@b.co", card_number: "4000002760003184" });
    const failed = await form(`${session.url}/authenticate`, { result: "fail" });
    expect(failed.status).toBe(200);
    expect(await failed.text()).toContain("unable to authenticate");
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
    const api = await h.control(`/_sandbox/pay/${session.id}`, { card: "4000002760003184", authenticate: "fail" });
    expect(api.status).toBe(402);
  });

  it("async bank transfer completes unpaid, then async_payment_succeeded when triggered", async () => {
    const session = await packSession(h.stripe);
    const res = await h.control(`/_sandbox/pay/${session.id}`, { method: "bank_transfer" });
    expect(res.body.result).toBe("complete");
    const completed = await h.receiver.waitFor("checkout.session.completed", (e) => e.data.object.id === session.id);
    expect(completed.data.object.payment_status).toBe("unpaid");
    const settled = await h.control(`/_sandbox/async/${session.id}/succeed`);
    expect(settled.status).toBe(200);
    const ok = await h.receiver.waitFor("checkout.session.async_payment_succeeded", (e) => e.data.object.id === session.id);
    expect(ok.data.object.payment_status).toBe("paid");
  });

  it("async failure sends checkout.session.async_payment_failed", async () => {
    const session = await packSession(h.stripe);
    await h.control(`/_sandbox/pay/${session.id}`, { method: "bank_transfer" });
    await h.control(`/_sandbox/async/${session.id}/fail`);
    const failed = await h.receiver.waitFor("checkout.session.async_payment_failed", (e) => e.data.object.id === session.id);
    expect(failed.data.object.payment_status).toBe("unpaid");
  });

  it("expire sends checkout.session.expired and the page then refuses payment", async () => {
    const session = await packSession(h.stripe);
    const expired = await h.stripe.checkout.sessions.expire(session.id);
    expect(expired.status).toBe("expired");
    await h.receiver.waitFor("checkout.session.expired", (e) => e.data.object.id === session.id);
    const res = await h.control(`/_sandbox/pay/${session.id}`, { card: "4242424242424242" });
    expect(res.status).toBe(400);
    await expect(h.stripe.checkout.sessions.expire(session.id)).rejects.toMatchObject({ type: "StripeInvalidRequestError" });
  });

  it("validates like Stripe: unknown customer is a 404 resource_missing, missing line_items a 400", async () => {
    await expect(packSession(h.stripe, { customer: "cus_nope", customer_email: undefined })).rejects.toMatchObject({
      statusCode: 404,
      code: "resource_missing",
      param: "customer",
    });
    await expect(h.stripe.checkout.sessions.create({ mode: "payment", success_url: "http://x/s" })).rejects.toMatchObject({
      statusCode: 400,
      code: "parameter_missing",
      param: "line_items",
    });
  });
});

describe("hosted checkout page", () => {
  it("serves accessible HTML: labeled fields, totals, a Pay button and a Cancel link", async () => {
    const session = await packSession(h.stripe);
    const res = await fetch(session.url!);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    for (const [id, label] of [
      ["email", "Email"],
      ["card_number", "Card number"],
      ["card_expiry", "Expiration date"],
      ["card_cvc", "CVC"],
    ]) {
      expect(html).toContain(`<label for="${id}">${label}</label>`);
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).toContain("500 credits");
    expect(html).toContain("$15.00");
    expect(html).toMatch(/<button type="submit" name="method" value="card">Pay<\/button>/);
    expect(html).toContain('href="http://app.test/cancel"');
    expect(html).toContain('lang="en"');
  });

  it("a plain form post with 4242 redirects 303 to the success URL", async () => {
    const session = await packSession(h.stripe);
    const res = await form(session.url!, { email: "buyer@example.com", card_number: "4242 4242 4242 4242", card_expiry: "12/34", card_cvc: "123", method: "card" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`http://app.test/success?session_id=${session.id}`);
    const page = await (await fetch(session.url!)).text();
    expect(page).toContain("This payment is complete");
  });
});

describe("checkout, setup mode", () => {
  it("saves the card on the customer and sends setup_intent.succeeded + checkout.session.completed", async () => {
    const customer = await h.stripe.customers.create({ email: "owner@example.com", name: "Owner" });
    const session = await h.stripe.checkout.sessions.create({ mode: "setup", customer: customer.id, success_url: "http://app.test/billing?setup={CHECKOUT_SESSION_ID}", currency: "usd" });
    expect(session.setup_intent).toMatch(/^seti_/);
    const html = await (await fetch(session.url!)).text();
    expect(html).toMatch(/>Save<\/button>/);
    await h.control(`/_sandbox/pay/${session.id}`, { card: "4242424242424242" });
    const seti = await h.receiver.waitFor("setup_intent.succeeded");
    expect(seti.data.object.customer).toBe(customer.id);
    await h.receiver.waitFor("checkout.session.completed", (e) => e.data.object.id === session.id);

    const pms = await h.stripe.paymentMethods.list({ customer: customer.id, type: "card" });
    expect(pms.data).toHaveLength(1);
    expect(pms.data[0]).toMatchObject({ id: seti.data.object.payment_method, type: "card", customer: customer.id, card: { brand: "visa", last4: "4242" } });
    const viaCustomer = await h.stripe.customers.listPaymentMethods(customer.id);
    expect(viaCustomer.data.map((p) => p.id)).toEqual(pms.data.map((p) => p.id));

    const updated = await h.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pms.data[0].id } });
    expect(updated.invoice_settings.default_payment_method).toBe(pms.data[0].id);
    const seen = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ["setup_intent"] });
    expect((seen.setup_intent as Stripe.SetupIntent).status).toBe("succeeded");
  });
});
