import type Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./test-helpers";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());
beforeEach(() => h.receiver.clear());

const DAY = 86_400;

async function subscribe(card = "4242424242424242") {
  const session = await h.stripe.checkout.sessions.create({
    mode: "subscription",
    line_items: [{ price_data: { currency: "usd", unit_amount: 900, recurring: { interval: "month", interval_count: 1 }, product_data: { name: "Pro plan" } }, quantity: 1 }],
    subscription_data: { metadata: { plan_id: "plan_pro", end_user: "eu_1" } },
    customer_email: "enduser@example.com",
    success_url: "http://app.test/b/bot/success?session_id={CHECKOUT_SESSION_ID}",
  });
  const res = await h.control(`/_sandbox/pay/${session.id}`, { card });
  expect(res.body.result).toBe("complete");
  const completed = await h.receiver.waitFor("checkout.session.completed", (e) => e.data.object.id === session.id);
  const sub = await h.stripe.subscriptions.retrieve(completed.data.object.subscription as string);
  return { session, sub };
}

function subscriptionOf(invoice: Stripe.Invoice): string | undefined {
  const s = invoice.parent?.subscription_details?.subscription;
  return typeof s === "string" ? s : s?.id;
}

describe("subscriptions", () => {
  it("subscription checkout → active subscription, invoice.paid (subscription_create) and checkout.session.completed", async () => {
    const { sub, session } = await subscribe();
    expect(sub.id).toMatch(/^sub_/);
    expect(sub.status).toBe("active");
    expect(sub.metadata).toEqual({ plan_id: "plan_pro", end_user: "eu_1" });
    const item = sub.items.data[0];
    expect(item.current_period_end - item.current_period_start).toBeGreaterThanOrEqual(28 * DAY);
    expect((sub as unknown as { current_period_end: number }).current_period_end).toBe(item.current_period_end);
    expect(sub.default_payment_method).toMatch(/^pm_/);

    const paid = await h.receiver.waitFor("invoice.paid", (e) => subscriptionOf(e.data.object) === sub.id);
    const invoice = paid.data.object;
    expect(invoice.billing_reason).toBe("subscription_create");
    expect(invoice.id).toBe(sub.latest_invoice);
    expect(invoice.parent?.subscription_details?.metadata).toEqual({ plan_id: "plan_pro", end_user: "eu_1" });
    expect(invoice.lines.data[0].period).toEqual({ start: item.current_period_start, end: item.current_period_end });
    expect(invoice.lines.data[0].subscription).toBe(sub.id);
    expect(invoice.amount_paid).toBe(900);

    const s = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ["subscription"] });
    expect((s.subscription as Stripe.Subscription).id).toBe(sub.id);
  });

  it("advancing the clock past the period issues, pays and announces the renewal (subscription_cycle)", async () => {
    const { sub } = await subscribe();
    const firstEnd = sub.items.data[0].current_period_end;
    const seconds = firstEnd - h.sandbox.now() + 60;
    const res = await h.control("/_sandbox/advance", { seconds });
    expect(res.body.now).toBeGreaterThan(firstEnd);
    const renewal = await h.receiver.waitFor("invoice.paid", (e) => subscriptionOf(e.data.object) === sub.id && e.data.object.billing_reason === "subscription_cycle");
    expect(renewal.data.object.lines.data[0].period.start).toBe(firstEnd);
    const after = await h.stripe.subscriptions.retrieve(sub.id);
    expect(after.items.data[0].current_period_start).toBe(firstEnd);
    expect(after.latest_invoice).toBe(renewal.data.object.id);
    const invoices = await h.stripe.invoices.list({ subscription: sub.id });
    expect(invoices.data).toHaveLength(2);
  });

  it("a renewal on a declining card sends invoice.payment_failed and makes the subscription past_due", async () => {
    const { sub } = await subscribe();
    const failing = await h.stripe.paymentMethods.attach("pm_card_chargeCustomerFail", { customer: sub.customer as string });
    await h.stripe.subscriptions.update(sub.id, { default_payment_method: failing.id });
    h.sandbox.advanceClock(sub.items.data[0].current_period_end - h.sandbox.now() + 60);
    const failed = await h.receiver.waitFor("invoice.payment_failed", (e) => subscriptionOf(e.data.object) === sub.id);
    expect(failed.data.object.billing_reason).toBe("subscription_cycle");
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe("past_due");
  });

  it("portal cancel → customer.subscription.deleted, a link back, and no more renewals", async () => {
    const { sub } = await subscribe();
    const portal = await h.stripe.billingPortal.sessions.create({ customer: sub.customer as string, return_url: "http://app.test/b/bot/account" });
    expect(portal.id).toMatch(/^bps_/);
    const page = await (await fetch(portal.url)).text();
    expect(page).toContain("Pro plan");
    expect(page).toContain("Cancel plan");
    const res = await fetch(`${portal.url}/cancel`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `subscription=${sub.id}` });
    const after = await res.text();
    expect(after).toContain("Your plan has been canceled.");
    expect(after).toContain('href="http://app.test/b/bot/account"');
    const deleted = await h.receiver.waitFor("customer.subscription.deleted", (e) => e.data.object.id === sub.id);
    expect(deleted.data.object.status).toBe("canceled");

    h.receiver.clear();
    h.sandbox.advanceClock(40 * DAY);
    await h.sandbox.idle();
    expect(h.receiver.events.filter((e) => e.type === "invoice.paid" && subscriptionOf(e.data.object as Stripe.Invoice) === sub.id)).toEqual([]);
  });

  it("cancel_at_period_end sends .updated now and .deleted at period end; DELETE cancels at once", async () => {
    const { sub } = await subscribe();
    const updated = await h.stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    expect(updated.cancel_at_period_end).toBe(true);
    const ev = await h.receiver.waitFor("customer.subscription.updated", (e) => e.data.object.id === sub.id);
    expect(ev.data.previous_attributes).toMatchObject({ cancel_at_period_end: false });
    h.sandbox.advanceClock(sub.items.data[0].current_period_end - h.sandbox.now() + 60);
    await h.receiver.waitFor("customer.subscription.deleted", (e) => e.data.object.id === sub.id);

    const { sub: other } = await subscribe();
    const canceled = await h.stripe.subscriptions.cancel(other.id);
    expect(canceled.status).toBe("canceled");
    await h.receiver.waitFor("customer.subscription.deleted", (e) => e.data.object.id === other.id);
  });

  it("pause_collection void: a renewal's invoice is voided, nothing is charged and no invoice.paid; resuming bills again", async () => {
    const { sub } = await subscribe();
    const paused = await h.stripe.subscriptions.update(sub.id, { pause_collection: { behavior: "void" } });
    expect(paused.pause_collection).toEqual({ behavior: "void", resumes_at: null });
    const ev = await h.receiver.waitFor("customer.subscription.updated", (e) => e.data.object.id === sub.id);
    expect(ev.data.previous_attributes).toEqual({ pause_collection: null });
    expect((await h.stripe.subscriptions.retrieve(sub.id)).pause_collection).toEqual({ behavior: "void", resumes_at: null });
    const paymentsBefore = (await h.stripe.paymentIntents.list({ customer: sub.customer as string })).data.length;

    const firstEnd = sub.items.data[0].current_period_end;
    h.receiver.clear();
    h.sandbox.advanceClock(firstEnd - h.sandbox.now() + 60);
    const voided = await h.receiver.waitFor("invoice.voided", (e) => subscriptionOf(e.data.object) === sub.id);
    await h.sandbox.idle();
    expect(voided.data.object).toMatchObject({ billing_reason: "subscription_cycle", status: "void", amount_paid: 0 });
    const ofSub = (type: string) => h.receiver.events.filter((e) => e.type === type && subscriptionOf(e.data.object as Stripe.Invoice) === sub.id);
    expect(ofSub("invoice.paid")).toEqual([]);
    expect(ofSub("invoice.payment_failed")).toEqual([]);
    expect((await h.stripe.paymentIntents.list({ customer: sub.customer as string })).data).toHaveLength(paymentsBefore);
    const during = await h.stripe.subscriptions.retrieve(sub.id);
    expect(during.status).toBe("active");
    expect(during.items.data[0].current_period_start).toBe(firstEnd);
    expect((await h.stripe.invoices.list({ subscription: sub.id })).data.map((i) => i.status).sort()).toEqual(["paid", "void"]);

    const resumed = await h.stripe.subscriptions.update(sub.id, { pause_collection: "" });
    expect(resumed.pause_collection).toBeNull();
    h.sandbox.advanceClock(during.items.data[0].current_period_end - h.sandbox.now() + 60);
    const renewal = await h.receiver.waitFor("invoice.paid", (e) => subscriptionOf(e.data.object) === sub.id && e.data.object.billing_reason === "subscription_cycle");
    expect(renewal.data.object.amount_paid).toBe(900);

    await expect(h.stripe.subscriptions.update(sub.id, { pause_collection: { behavior: "keep_as_draft" } })).rejects.toMatchObject({ type: "StripeInvalidRequestError" });
  });

  it("pause_collection resumes_at: periods from that time on are billed again", async () => {
    const { sub } = await subscribe();
    const firstEnd = sub.items.data[0].current_period_end;
    const paused = await h.stripe.subscriptions.update(sub.id, { pause_collection: { behavior: "void", resumes_at: firstEnd } });
    expect(paused.pause_collection).toEqual({ behavior: "void", resumes_at: firstEnd });
    h.receiver.clear();
    h.sandbox.advanceClock(firstEnd - h.sandbox.now() + 60);
    await h.receiver.waitFor("invoice.paid", (e) => subscriptionOf(e.data.object) === sub.id && e.data.object.billing_reason === "subscription_cycle");
    expect((await h.stripe.subscriptions.retrieve(sub.id)).pause_collection).toBeNull();
    const ended = h.receiver.events.find((e) => e.type === "customer.subscription.updated" && (e.data.previous_attributes as { pause_collection?: unknown })?.pause_collection);
    expect(ended?.data.previous_attributes).toEqual({ pause_collection: { behavior: "void", resumes_at: firstEnd } });
  });

  it("test clocks: advancing a clock renews only its customers' subscriptions", async () => {
    const start = Math.floor(Date.now() / 1000);
    const clock = await h.stripe.testHelpers.testClocks.create({ frozen_time: start });
    expect(clock.id).toMatch(/^clock_/);
    const customer = await h.stripe.customers.create({ email: "clock@example.com", test_clock: clock.id });
    const session = await h.stripe.checkout.sessions.create({
      mode: "subscription",
      customer: customer.id,
      line_items: [{ price_data: { currency: "usd", unit_amount: 500, recurring: { interval: "week" }, product_data: { name: "Weekly" } }, quantity: 1 }],
      success_url: "http://app.test/ok",
    });
    await h.control(`/_sandbox/pay/${session.id}`, { card: "4242424242424242" });
    const advanced = await h.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 7 * DAY + 10 });
    expect(advanced.frozen_time).toBe(start + 7 * DAY + 10);
    const renewal = await h.receiver.waitFor("invoice.paid", (e) => e.data.object.customer === customer.id && e.data.object.billing_reason === "subscription_cycle");
    expect(renewal.data.object.created).toBe(start + 7 * DAY);
  });
});
