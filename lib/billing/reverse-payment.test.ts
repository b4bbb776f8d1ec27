import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { memberships, orders, organizations, recharges, users } from "@/db/schema";
import { assignCredits } from "@/lib/agency/assign-credits";
import { createSubAccount } from "@/lib/agency/create-sub-account";
import { Credits } from "@/lib/ledger/credits";
import { debit } from "@/lib/ledger/debit";
import { getBalance } from "@/lib/ledger/get-balance";
import { getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { grantBatch } from "@/lib/ledger/grant-batch";
import { verifyLedger } from "@/lib/ledger/verify";
import { createCardSetupCheckout, saveCardFromSession } from "./auto-recharge/card";
import { rechargeIfBelowThreshold } from "./auto-recharge/recharge";
import { saveAutoRecharge } from "./auto-recharge/settings";
import { createPackCheckout, createPlanCheckout } from "./checkout";
import { fulfilCheckoutSession } from "./fulfil";
import { createEndUserPack, createPlatformPack } from "./offers";
import { seedBillingWorld, seedPackWorld, seedPlanWorld, startBillingHarness, type BillingHarness } from "./test-helpers";

const t = useTestDb();
let h: BillingHarness;
const urls = { successUrl: "http://app.test/success?session_id={CHECKOUT_SESSION_ID}", cancelUrl: "http://app.test/cancel" };

beforeAll(async () => {
  h = await startBillingHarness(() => t.db);
});
afterAll(async () => {
  // Every reversal below must leave the ledger's invariants holding.
  if (t.db) expect(await verifyLedger(t.db)).toEqual([]);
  await h?.stop();
});

const balanceOf = async (accountId: string) => Credits.format((await getBalance(t.db, accountId)).balance);
const orderOf = async (orderId: string) => (await t.db.select().from(orders).where(eq(orders.id, orderId)))[0];

/** A visitor who bought a 500-credit pack with a 50-credit bonus for $15.00. */
async function visitorWithPack(name: string) {
  const w = await seedPackWorld(t.db, name);
  const started = await createPackCheckout(t.db, { packId: w.pack.id, buyer: { kind: "end_user", botId: w.botId, endUserId: w.endUserId }, ...urls }, h.stripe);
  await h.control(`/_sandbox/pay/${started.sessionId}`, {});
  await h.idle();
  const order = await orderOf(started.orderId);
  expect(order.status).toBe("paid");
  return { ...w, order, sessionId: started.sessionId };
}

describe("partial refunds", () => {
  it("void that share of the purchase and add up; the credits left stay spendable; the last refund voids the rest", async () => {
    const w = await visitorWithPack("Partial Refund");
    expect(await balanceOf(w.accountId)).toBe("550");

    // $3.00 of $15.00 back: a fifth of the paid 500 and of the bonus 50.
    await h.stripe.refunds.create({ payment_intent: w.order.stripePaymentIntentId!, amount: 300 });
    await h.idle();
    expect(await balanceOf(w.accountId)).toBe("440");
    expect((await orderOf(w.order.id)).status).toBe("partially_refunded");
    await debit(t.db, { accountId: w.accountId, amount: Credits.of(40), botId: w.botId, endUserId: w.endUserId, actor: "paying_visitor", pool: "end_user" });
    expect(await balanceOf(w.accountId)).toBe("400");

    // $4.50 more: half of the payment is back in all, so half of each batch is owed in all. The 40 spent
    // came out of the bonus first (free before paid) and stay spent: only its 10 were left to void.
    await h.stripe.refunds.create({ payment_intent: w.order.stripePaymentIntentId!, amount: 450 });
    await h.idle();
    const half = await getBalance(t.db, w.accountId, { includeInactive: true });
    const voided = (await t.db.execute(
      sql`select b.source, (-sum(e.remaining_delta))::text as total from ledger_entries e join batches b on b.id = e.batch_id
           where e.account_id = ${w.accountId} and e.kind = 'void' group by b.source order by b.source`,
    )) as unknown as { source: string; total: string }[];
    expect(voided.map((v) => [v.source, Credits.format(BigInt(v.total))])).toEqual([
      ["pack", "250"],
      ["pack_bonus", "10"],
    ]);
    expect(Credits.format(half.balance)).toBe("250"); // 550 − 40 spent − 260 voided
    expect(half.batches.every((b) => b.voidedAt === null)).toBe(true);

    // The rest of the payment: everything unspent goes.
    await h.stripe.refunds.create({ payment_intent: w.order.stripePaymentIntentId! });
    await h.idle();
    expect(await balanceOf(w.accountId)).toBe("0");
    expect((await orderOf(w.order.id)).status).toBe("refunded");
  });

  it("a replayed refund event voids nothing more", async () => {
    const w = await visitorWithPack("Replayed Refund");
    h.detach();
    try {
      await h.stripe.refunds.create({ payment_intent: w.order.stripePaymentIntentId!, amount: 150 });
      const refunded = h.sandbox.events().find((e) => e.type === "charge.refunded" && e.data.object.payment_intent === w.order.stripePaymentIntentId)!;
      expect((await h.deliver(refunded)).status).toBe(200);
      expect(await balanceOf(w.accountId)).toBe("495");
      // The same refund told again under another event id (Stripe may resend as a new event): still a tenth.
      expect((await h.deliver({ ...refunded, id: `${refunded.id}_again` })).status).toBe(200);
      expect(await balanceOf(w.accountId)).toBe("495");
    } finally {
      h.attach();
    }
  });
});

describe("refunds of what a payment bought, whichever came first", () => {
  it("a refunded auto-recharge takes its credits back and no longer counts as paid", async () => {
    const [org] = await t.db.insert(organizations).values({ name: "Recharge Refund", billingEmail: "billing@recharge-refund.test" }).returning();
    const [user] = await t.db.insert(users).values({ email: "owner@recharge-refund.test", name: "Owner", passwordHash: "x" }).returning();
    await t.db.insert(memberships).values({ userId: user.id, organizationId: org.id, role: "admin" });
    const account = await getOrCreateOrgAccount(t.db, org.id);
    await grantBatch(t.db, { accountId: account.id, type: "paid", source: "top_up", amount: Credits.of(50) });
    const setup = await createCardSetupCheckout(t.db, org.id, urls, h.stripe);
    await h.control(`/_sandbox/pay/${setup.sessionId}`, { card: "4242424242424242" });
    await saveCardFromSession(t.db, org.id, setup.sessionId, h.stripe);
    await saveAutoRecharge(t.db, org.id, { enabled: true, topUpAmount: Credits.of(250), rechargeAt: Credits.of(100), monthlyCeilingCents: null }, user.id);
    const recharge = await rechargeIfBelowThreshold(t.db, org.id, { trigger: "test", stripe: h.stripe });
    expect(recharge?.status).toBe("succeeded");
    await h.idle();
    expect(await balanceOf(account.id)).toBe("300");

    const invoice = await h.stripe.invoices.retrieve(recharge!.stripeInvoiceId!, { expand: ["payments"] });
    const payment = invoice.payments!.data[0].payment.payment_intent as string;
    await h.stripe.refunds.create({ payment_intent: payment });
    await h.idle();
    expect(h.responses.find((r) => r.type === "charge.refunded" && String(r.body.outcome).startsWith("voided"))).toBeDefined();
    expect(await balanceOf(account.id)).toBe("50");
    const [after] = await t.db.select().from(recharges).where(eq(recharges.id, recharge!.id));
    expect(after.status).toBe("refunded");

    // The money went back, so it no longer counts toward a monthly ceiling of one top-up's price.
    await saveAutoRecharge(t.db, org.id, { enabled: true, topUpAmount: Credits.of(250), rechargeAt: Credits.of(100), monthlyCeilingCents: recharge!.priceCents }, user.id);
    expect((await rechargeIfBelowThreshold(t.db, org.id, { trigger: "test", stripe: h.stripe }))?.status).toBe("succeeded");
    expect(await balanceOf(account.id)).toBe("300");
  });

  it("a plan's refund that arrives before its invoice.paid voids the period's credits, and the late grant events re-grant nothing", async () => {
    const { plan, accountId, ...w } = await seedPlanWorld(t.db, "Plan Refund First");
    h.detach();
    try {
      const started = await createPlanCheckout(t.db, { planId: plan.id, botId: w.botId, endUserId: w.endUserId, ...urls }, h.stripe);
      await h.control(`/_sandbox/pay/${started.sessionId}`, {});
      const session = await h.stripe.checkout.sessions.retrieve(started.sessionId);
      const invoice = await h.stripe.invoices.retrieve(session.invoice as string, { expand: ["payments"] });
      const paymentIntent = invoice.payments!.data[0].payment.payment_intent as string;
      await h.stripe.refunds.create({ payment_intent: paymentIntent });
      const events = h.sandbox.events();
      const refunded = events.find((e) => e.type === "charge.refunded" && e.data.object.payment_intent === paymentIntent)!;
      const invoicePaid = events.find((e) => e.type === "invoice.paid" && e.data.object.id === session.invoice)!;
      const completed = events.find((e) => e.type === "checkout.session.completed" && e.data.object.id === started.sessionId)!;

      const refund = await h.deliver(refunded);
      expect(refund.status).toBe(200);
      expect(refund.body.outcome).toMatch(/^voided/);
      expect(await balanceOf(accountId)).toBe("0");
      expect((await h.deliver(invoicePaid)).status).toBe(200);
      expect((await h.deliver(completed)).status).toBe(200);
      expect(await balanceOf(accountId)).toBe("0");
      expect((await orderOf(started.orderId)).status).toBe("refunded");
    } finally {
      h.attach();
    }
  });

  it("a refunded pack an agency assigned to a sub-account is taken back there too", async () => {
    const [agency] = await t.db.insert(organizations).values({ name: "Refund Agency", kind: "agency" }).returning();
    const [admin] = await t.db.insert(users).values({ email: "admin@refund-agency.test", name: "Admin", passwordHash: "x" }).returning();
    await t.db.insert(memberships).values({ userId: admin.id, organizationId: agency.id, role: "admin" });
    const actor = { userId: admin.id, orgId: agency.id };
    const sub = await createSubAccount(t.db, actor, { name: "Refund Client" });
    const pack = await createPlatformPack(t.db, { name: "Agency 500", priceMinor: 4500, currency: "usd", credits: Credits.of(500) });
    const started = await createPackCheckout(t.db, { packId: pack.id, buyer: { kind: "organization", organizationId: agency.id }, ...urls }, h.stripe);
    await h.control(`/_sandbox/pay/${started.sessionId}`, {});
    await h.idle();
    const agencyAccount = await getOrCreateOrgAccount(t.db, agency.id);
    const subAccount = await getOrCreateOrgAccount(t.db, sub.id);
    await assignCredits(t.db, actor, { subAccountId: sub.id, amount: Credits.of(300) });
    await debit(t.db, { accountId: subAccount.id, amount: Credits.of(100), actor: "operator", pool: "owner" });
    expect([await balanceOf(agencyAccount.id), await balanceOf(subAccount.id)]).toEqual(["200", "200"]);

    await h.stripe.refunds.create({ payment_intent: (await orderOf(started.orderId)).stripePaymentIntentId! });
    await h.idle();
    // The 100 the sub-account spent stay spent; nothing else of the refunded pack is left anywhere.
    expect([await balanceOf(agencyAccount.id), await balanceOf(subAccount.id)]).toEqual(["0", "0"]);
  });
});

describe("a bank transfer that failed", () => {
  it("is not shown as processing again when the success page is reloaded", async () => {
    const w = await seedBillingWorld(t.db, "Failed Transfer");
    const pack = await createEndUserPack(t.db, { organizationId: w.orgId, botId: w.botId, name: "100 credits", priceMinor: 500, currency: "usd", credits: Credits.of(100) });
    const started = await createPackCheckout(t.db, { packId: pack.id, buyer: { kind: "end_user", botId: w.botId, endUserId: w.endUserId }, ...urls }, h.stripe);
    await h.control(`/_sandbox/pay/${started.sessionId}`, { method: "bank_transfer" });
    await h.idle();
    expect((await fulfilCheckoutSession(t.db, started.sessionId, h.stripe)).status).toBe("processing");
    await h.control(`/_sandbox/async/${started.sessionId}/fail`);
    await h.idle();
    expect((await orderOf(started.orderId)).status).toBe("payment_failed");

    expect((await fulfilCheckoutSession(t.db, started.sessionId, h.stripe)).status).toBe("unpaid");
    expect((await orderOf(started.orderId)).status).toBe("payment_failed");
  });
});
