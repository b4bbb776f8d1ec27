import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { orders, stripeEvents } from "@/db/schema";
import { Credits } from "@/lib/ledger/credits";
import { debit } from "@/lib/ledger/debit";
import { getBalance } from "@/lib/ledger/get-balance";
import { getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { createPackCheckout, createPlanCheckout } from "./checkout";
import { fulfilCheckoutSession, fulfilInvoice } from "./fulfil";
import { createPlatformPack } from "./offers";
import { batchCount, seedBillingWorld, seedPackWorld, seedPlanWorld, startBillingHarness, type BillingHarness } from "./test-helpers";

const t = useTestDb();
let h: BillingHarness;
const urls = { successUrl: "http://app.test/success?session_id={CHECKOUT_SESSION_ID}", cancelUrl: "http://app.test/cancel" };

beforeAll(async () => {
  h = await startBillingHarness(() => t.db);
});
afterAll(async () => {
  await h?.stop();
});

async function batchesOfAccount(accountId: string) {
  return (await getBalance(t.db, accountId, { includeInactive: true })).batches;
}

const world = (name: string) => seedPackWorld(t.db, name);

describe("credit packs through Checkout", () => {
  it("SPEC §17.7: webhook delivered twice + success page loaded three times → exactly one Paid 500 (pack) and one Free 50 (pack_bonus)", async () => {
    const w = await world("Seventeen Seven");
    h.sandbox.setDeliveryMode({ duplicate: true });
    try {
      const started = await createPackCheckout(t.db, { packId: w.pack.id, buyer: { kind: "end_user", botId: w.botId, endUserId: w.endUserId }, ...urls }, h.stripe);
      const paid = await h.control(`/_sandbox/pay/${started.sessionId}`, { card: "4242424242424242" });
      expect(paid.status).toBe(200);
      const pages = await Promise.all([1, 2, 3].map(() => fulfilCheckoutSession(t.db, started.sessionId, h.stripe)));
      await h.idle();
      expect(pages.filter((p) => p.status === "granted").length).toBeLessThanOrEqual(1);
      const completed = h.responses.filter((r) => r.type === "checkout.session.completed");
      expect(completed.length).toBeGreaterThanOrEqual(2);
      expect(completed.filter((r) => r.body.duplicate).length).toBeGreaterThanOrEqual(1);

      const batches = await batchesOfAccount(w.accountId);
      expect(batches.map((b) => [b.type, b.source, Credits.format(b.amount)]).sort()).toEqual([
        ["free", "pack_bonus", "50"],
        ["paid", "pack", "500"],
      ]);
      const bonus = batches.find((b) => b.source === "pack_bonus")!;
      const days = (bonus.expiresAt!.getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29.9);
      expect(days).toBeLessThan(30.1);
      const [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
      expect(order.status).toBe("paid");
      expect(order.grantedBatchIds).toHaveLength(2);
      expect(order.stripePaymentIntentId).toMatch(/^pi_/);
      expect((await getBalance(t.db, w.accountId)).balance).toBe(Credits.of(550));
    } finally {
      h.sandbox.setDeliveryMode({ duplicate: false });
    }
  });

  it("webhook vs success page race: many concurrent fulfilments and deliveries grant exactly once", async () => {
    const w = await world("Race");
    const started = await createPackCheckout(t.db, { packId: w.pack.id, buyer: { kind: "end_user", botId: w.botId, endUserId: w.endUserId }, ...urls }, h.stripe);
    await h.control(`/_sandbox/pay/${started.sessionId}`, {});
    const completed = h.sandbox.events().find((e) => e.type === "checkout.session.completed" && e.data.object.id === started.sessionId)!;
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () => fulfilCheckoutSession(t.db, started.sessionId, h.stripe)),
      ...Array.from({ length: 4 }, () => h.deliver(completed)),
    ]);
    await h.idle();
    const pageResults = results.slice(0, 6) as Awaited<ReturnType<typeof fulfilCheckoutSession>>[];
    expect(pageResults.filter((r) => r.status === "granted").length).toBeLessThanOrEqual(1);
    expect(pageResults.every((r) => r.batches.length === 2)).toBe(true);
    expect(await batchCount(t.db, w.accountId)).toBe(2);
    expect((await getBalance(t.db, w.accountId)).balance).toBe(Credits.of(550));
  });

  it("shuffled delivery with failed first attempts (retries arrive out of order) still grants exactly once", async () => {
    const w = await world("Shuffle");
    h.sandbox.setDeliveryMode({ shuffle: true, failFirst: 2, duplicate: true });
    try {
      const started = await createPackCheckout(t.db, { packId: w.pack.id, buyer: { kind: "end_user", botId: w.botId, endUserId: w.endUserId }, ...urls }, h.stripe);
      await h.control(`/_sandbox/pay/${started.sessionId}`, {});
      await h.idle();
    } finally {
      h.sandbox.setDeliveryMode({ shuffle: false, failFirst: 0, duplicate: false });
    }
    expect(await batchCount(t.db, w.accountId)).toBe(2);
    expect((await getBalance(t.db, w.accountId)).balance).toBe(Credits.of(550));
  });

  it("bad signature → 400 and nothing recorded or granted", async () => {
    const w = await world("Bad Signature");
    h.detach();
    try {
      const started = await createPackCheckout(t.db, { packId: w.pack.id, buyer: { kind: "end_user", botId: w.botId, endUserId: w.endUserId }, ...urls }, h.stripe);
      await h.control(`/_sandbox/pay/${started.sessionId}`, {});
      const event = h.sandbox.events().find((e) => e.type === "checkout.session.completed" && e.data.object.id === started.sessionId)!;
      const wrongSecret = await h.deliver(event, { secret: "whsec_attacker" });
      const tampered = await h.deliver(event, { tamper: true });
      expect(wrongSecret.status).toBe(400);
      expect(tampered.status).toBe(400);
      expect(await t.db.select().from(stripeEvents).where(eq(stripeEvents.id, event.id))).toHaveLength(0);
      expect(await batchCount(t.db, w.accountId)).toBe(0);
      const [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
      expect(order.status).toBe("pending");
      // The genuine delivery still works afterwards.
      expect((await h.deliver(event)).status).toBe(200);
      expect(await batchCount(t.db, w.accountId)).toBe(2);
    } finally {
      h.attach();
    }
  });

  it("declined card: the error stays on the page, the order records it, nothing is granted", async () => {
    const w = await world("Declined");
    const started = await createPackCheckout(t.db, { packId: w.pack.id, buyer: { kind: "end_user", botId: w.botId, endUserId: w.endUserId }, ...urls }, h.stripe);
    const declined = await h.control(`/_sandbox/pay/${started.sessionId}`, { card: "4000000000000002" });
    expect(declined.status).toBe(402);
    await h.idle();
    expect(h.responses.some((r) => r.type === "payment_intent.payment_failed" && r.status === 200)).toBe(true);
    expect(await batchCount(t.db, w.accountId)).toBe(0);
    expect((await fulfilCheckoutSession(t.db, started.sessionId, h.stripe)).status).toBe("unpaid");
    const [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
    expect(order.status).toBe("payment_failed");
    expect(order.lastError).toMatch(/declined/i);
    expect(await batchCount(t.db, w.accountId)).toBe(0);
    // Another card on the same open session pays and grants.
    expect((await h.control(`/_sandbox/pay/${started.sessionId}`, { card: "4242424242424242" })).status).toBe(200);
    await h.idle();
    expect(await batchCount(t.db, w.accountId)).toBe(2);
  });

  it("refund after partial spend: the unspent remainder of both batches is voided, the spent part stays spent", async () => {
    const w = await world("Refund");
    const started = await createPackCheckout(t.db, { packId: w.pack.id, buyer: { kind: "end_user", botId: w.botId, endUserId: w.endUserId }, ...urls }, h.stripe);
    await h.control(`/_sandbox/pay/${started.sessionId}`, {});
    await h.idle();
    // Free bonus first: 50 free + 70 paid spent.
    await debit(t.db, { accountId: w.accountId, amount: Credits.of(120), botId: w.botId, endUserId: w.endUserId, actor: "paying_visitor", pool: "end_user" });
    expect((await getBalance(t.db, w.accountId)).balance).toBe(Credits.of(430));
    const [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
    await h.stripe.refunds.create({ payment_intent: order.stripePaymentIntentId! });
    await h.idle();
    const after = await getBalance(t.db, w.accountId, { includeInactive: true });
    expect(after.balance).toBe(0n);
    const paid = after.batches.find((b) => b.source === "pack")!;
    expect(paid.voidedAt).not.toBeNull();
    expect(paid.amount - paid.remaining).toBe(Credits.of(500)); // 70 consumed + 430 voided
    const entries = (await t.db.execute(
      sql`select kind, sum(remaining_delta)::text as total from ledger_entries where account_id = ${w.accountId} group by kind order by kind`,
    )) as unknown as { kind: string; total: string }[];
    expect(Object.fromEntries(entries.map((e) => [e.kind, e.total]))).toEqual({
      grant: Credits.of(550).toString(),
      consume: (-Credits.of(120)).toString(),
      void: (-Credits.of(430)).toString(),
    });
    const [refunded] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
    expect(refunded.status).toBe("refunded");
    // A late replay of the completion does not re-grant.
    expect((await fulfilCheckoutSession(t.db, started.sessionId, h.stripe)).status).toBe("already_granted");
    expect((await getBalance(t.db, w.accountId)).balance).toBe(0n);
  });

  it("dispute voids the remainder like a refund", async () => {
    const w = await world("Dispute");
    const started = await createPackCheckout(t.db, { packId: w.pack.id, buyer: { kind: "end_user", botId: w.botId, endUserId: w.endUserId }, ...urls }, h.stripe);
    await h.control(`/_sandbox/pay/${started.sessionId}`, {});
    await h.idle();
    const [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
    expect((await h.control(`/_sandbox/dispute`, { payment_intent: order.stripePaymentIntentId })).status).toBe(200);
    await h.idle();
    expect((await getBalance(t.db, w.accountId)).balance).toBe(0n);
    const [disputed] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
    expect(disputed.status).toBe("disputed");
  });

  it("async payment (bank transfer): nothing on completion, the grant comes with async_payment_succeeded", async () => {
    const w = await world("Async");
    const started = await createPackCheckout(t.db, { packId: w.pack.id, buyer: { kind: "end_user", botId: w.botId, endUserId: w.endUserId }, ...urls }, h.stripe);
    await h.control(`/_sandbox/pay/${started.sessionId}`, { method: "bank_transfer" });
    await h.idle();
    expect(await batchCount(t.db, w.accountId)).toBe(0);
    expect((await fulfilCheckoutSession(t.db, started.sessionId, h.stripe)).status).toBe("processing");
    let [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
    expect(order.status).toBe("processing");
    await h.control(`/_sandbox/async/${started.sessionId}/succeed`);
    await h.idle();
    expect(await batchCount(t.db, w.accountId)).toBe(2);
    [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
    expect(order.status).toBe("paid");
  });

  it("an owner buys a platform pack: the credits land in the organization's pool", async () => {
    const w = await seedBillingWorld(t.db, "Owner Buys");
    const pack = await createPlatformPack(t.db, { name: "Growth", priceMinor: 4500, currency: "usd", credits: Credits.of(5000), bonusCredits: Credits.of(500), bonusExpiresInDays: 30 });
    const started = await createPackCheckout(t.db, { packId: pack.id, buyer: { kind: "organization", organizationId: w.orgId }, ...urls }, h.stripe);
    await h.control(`/_sandbox/pay/${started.sessionId}`, {});
    await h.idle();
    const account = await getOrCreateOrgAccount(t.db, w.orgId);
    expect((await getBalance(t.db, account.id)).balance).toBe(Credits.of(5500));
    const session = await h.stripe.checkout.sessions.retrieve(started.sessionId);
    expect(session.invoice).toMatch(/^in_/);
  });
});

describe("end-user plans through Checkout (subscriptions)", () => {
  it("out-of-order: invoice.paid before checkout.session.completed grants the first period exactly once", async () => {
    const { plan, accountId, ...w } = await seedPlanWorld(t.db, "Out Of Order");
    h.detach();
    try {
      const started = await createPlanCheckout(t.db, { planId: plan.id, botId: w.botId, endUserId: w.endUserId, ...urls }, h.stripe);
      await h.control(`/_sandbox/pay/${started.sessionId}`, {});
      const session = await h.stripe.checkout.sessions.retrieve(started.sessionId);
      const events = h.sandbox.events();
      const invoicePaid = events.find((e) => e.type === "invoice.paid" && e.data.object.id === session.invoice)!;
      const completed = events.find((e) => e.type === "checkout.session.completed" && e.data.object.id === started.sessionId)!;
      // The sandbox (like Stripe) emits invoice.paid before checkout.session.completed for subscriptions.
      expect(events.indexOf(invoicePaid)).not.toBe(events.indexOf(completed));
      // invoice.paid first, then completed, then each again.
      expect((await h.deliver(invoicePaid)).status).toBe(200);
      expect(await batchCount(t.db, accountId)).toBe(1);
      expect((await h.deliver(completed)).status).toBe(200);
      expect((await h.deliver(invoicePaid)).body.duplicate).toBe(true);
      expect((await h.deliver(completed)).body.duplicate).toBe(true);
      expect(await batchCount(t.db, accountId)).toBe(1);
      const [batch] = await batchesOfAccount(accountId);
      expect(batch.source).toBe("end_user_plan");
      expect(batch.type).toBe("paid");
      expect(batch.amount).toBe(Credits.of(300));
      expect(batch.expiresAt).not.toBeNull();
      const [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
      expect(order.status).toBe("paid");
      expect(order.stripeSubscriptionId).toMatch(/^sub_/);
    } finally {
      h.attach();
    }
  });

  it("renewal: the clock advances a period → a second grant; cancel in the portal → no further grants", async () => {
    const { plan, accountId, ...w } = await seedPlanWorld(t.db, "Renewal", { name: "Weekly", priceMinor: 300, interval: "week", credits: Credits.of(100), rollover: true });
    const started = await createPlanCheckout(t.db, { planId: plan.id, botId: w.botId, endUserId: w.endUserId, ...urls }, h.stripe);
    await h.control(`/_sandbox/pay/${started.sessionId}`, {});
    const page = await fulfilCheckoutSession(t.db, started.sessionId, h.stripe);
    expect(["granted", "already_granted"]).toContain(page.status);
    await h.idle();
    expect(await batchCount(t.db, accountId)).toBe(1);
    h.sandbox.advanceClock(7 * 86_400 + 60);
    await h.idle();
    expect(await batchCount(t.db, accountId)).toBe(2);
    const renewals = await t.db.select().from(orders).where(eq(orders.planId, plan.id));
    expect(renewals.map((o) => [o.kind, o.status]).sort()).toEqual([
      ["plan", "paid"],
      ["plan_renewal", "paid"],
    ]);
    // Rollover plan: no expiry.
    expect((await batchesOfAccount(accountId)).every((b) => b.expiresAt === null)).toBe(true);
    const [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
    await h.stripe.subscriptions.cancel(order.stripeSubscriptionId!);
    await h.idle();
    h.sandbox.advanceClock(14 * 86_400);
    await h.idle();
    expect(await batchCount(t.db, accountId)).toBe(2);
    const subs = (await t.db.execute(sql`select status from end_user_subscriptions where stripe_subscription_id = ${order.stripeSubscriptionId}`)) as unknown as { status: string }[];
    expect(subs[0].status).toBe("canceled");
  });

  /**
   * A monthly plan (no rollover) paid, then a month later its renewal invoice as Stripe writes it after a
   * quantity change in the month before: the rest of the old month billed as a proration line, listed
   * first, then the new month's own line (or, `periodLine: false`, no period line at all). The invoice is
   * fulfilled at the sandbox's time, as its `invoice.paid` would be.
   */
  async function renewalWithProrationFirst(name: string, options: { periodLine: boolean }) {
    const { plan, accountId, ...w } = await seedPlanWorld(t.db, name);
    const started = await createPlanCheckout(t.db, { planId: plan.id, botId: w.botId, endUserId: w.endUserId, ...urls }, h.stripe);
    await h.control(`/_sandbox/pay/${started.sessionId}`, {});
    await h.idle();
    expect(await batchCount(t.db, accountId)).toBe(1);
    const [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
    const subscriptionId = order.stripeSubscriptionId!;
    h.detach();
    try {
      h.sandbox.advanceClock(31 * 86_400 + 60);
      const renewal = (await h.stripe.invoices.list({ subscription: subscriptionId })).data.find((i) => i.billing_reason === "subscription_cycle")!;
      expect(renewal.status).toBe("paid");
      const stored = h.sandbox.state.objects[renewal.id];
      const periodLine = structuredClone(stored.lines.data[0]);
      const proration = {
        ...structuredClone(periodLine),
        id: `il_proration_${renewal.id}`,
        amount: 450,
        description: "Remaining time on 2 × Monthly after the change",
        period: { start: periodLine.period.start - 10 * 86_400, end: periodLine.period.start },
        parent: {
          type: "subscription_item_details",
          invoice_item_details: null,
          subscription_item_details: { ...periodLine.parent.subscription_item_details, invoice_item: "ii_proration", proration: true },
        },
      };
      stored.lines.data = options.periodLine ? [proration, periodLine] : [proration];
      const sub = await h.stripe.subscriptions.retrieve(subscriptionId);
      const result = await fulfilInvoice(t.db, renewal.id, h.stripe, new Date(h.sandbox.now() * 1000));
      return { result, periodLine, sub, accountId };
    } finally {
      h.attach();
    }
  }

  it("a renewal invoice whose first line is a proration grants the allowance expiring at the new period's end", async () => {
    const { result, periodLine, accountId } = await renewalWithProrationFirst("Proration First", { periodLine: true });
    expect(result.status).toBe("granted");
    expect(result.batches).toHaveLength(1);
    expect(result.batches[0].amount).toBe(Credits.of(300));
    expect(result.batches[0].expiresAt).toEqual(new Date(periodLine.period.end * 1000));
    expect(result.order?.lastError).toBeNull();
    expect(await batchCount(t.db, accountId)).toBe(2);
  });

  it("an invoice with no period line of its own (only a proration) grants until the subscription's current period ends", async () => {
    const { result, sub } = await renewalWithProrationFirst("Proration Only", { periodLine: false });
    expect(result.status).toBe("granted");
    expect(result.batches[0].expiresAt).toEqual(new Date(sub.items.data[0].current_period_end * 1000));
  });
});

