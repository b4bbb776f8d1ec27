import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import Stripe from "stripe";
import { useTestDb } from "@/test/db";
import { autoRechargeSettings, bots, notifications, organizations, recharges, emailOutbox, memberships, users } from "@/db/schema";
import { Credits } from "@/lib/ledger/credits";
import { getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { grantBatch } from "@/lib/ledger/grant-batch";
import { getBalance } from "@/lib/ledger/get-balance";
import { verifyLedger } from "@/lib/ledger/verify";
import { chargeUsage } from "@/lib/metering/charge";
import { authorize } from "@/lib/metering/authorize";
import { balanceWorkSettled, resetBalanceAlertMemo } from "@/lib/notifications/balance-alerts";
import { reversePayment } from "../reverse-payment";
import { startBillingHarness, type BillingHarness } from "../test-helpers";
import { createCardSetupCheckout, saveCardFromSession } from "./card";
import { createStripeClient } from "../stripe";
import { forgetAutoRechargeCache, getAutoRecharge, getPlatformSettings, saveAutoRecharge, updatePlatformSettings, type PlatformSettings } from "./settings";
import type { DbOrTx } from "@/db/client";
import {
  alertWhileStalled,
  completeRecharge,
  completeRechargeForInvoice,
  processRecharge,
  rechargeIfBelowThreshold,
  requestRecharge,
  RETRY_BACKOFF_MS,
  runAutoRechargeSweep,
  saveSettingsAndRecharge,
} from "./recharge";
import "./listener";

const t = useTestDb({ max: 20 });
let h: BillingHarness;

beforeAll(async () => {
  process.env.DATABASE_URL = t.url;
  h = await startBillingHarness(() => t.db, { webhooks: false });
  process.env.STRIPE_SANDBOX_URL = h.sandbox.url;
  delete process.env.STRIPE_SECRET_KEY;
});
afterAll(async () => h?.stop());

const credits = (s: string) => Credits.parse(s);

async function orgWithCard(name: string, card: string, balance: string, settings: { topUp?: string; rechargeAt?: string; ceilingCents?: number | null } = {}) {
  const [org] = await t.db.insert(organizations).values({ name, billingEmail: `billing@${name.replace(/\W/g, "").toLowerCase()}.test` }).returning();
  const [user] = await t.db.insert(users).values({ email: `owner@${name.replace(/\W/g, "").toLowerCase()}.test`, name: "Owner", passwordHash: "x" }).returning();
  await t.db.insert(memberships).values({ userId: user.id, organizationId: org.id, role: "admin" });
  const [bot] = await t.db.insert(bots).values({ organizationId: org.id, name: `${name} bot`, type: "language_model" }).returning();
  const account = await getOrCreateOrgAccount(t.db, org.id);
  if (balance !== "0") await grantBatch(t.db, { accountId: account.id, type: "paid", source: "top_up", amount: credits(balance) });
  const setup = await createCardSetupCheckout(t.db, org.id, { successUrl: "http://app/billing?card=1", cancelUrl: "http://app/billing" }, h.stripe);
  const paid = await h.control(`/_sandbox/pay/${setup.sessionId}`, { card });
  expect(paid.status).toBe(200);
  const saved = await saveCardFromSession(t.db, org.id, setup.sessionId, h.stripe);
  expect(saved?.last4).toBe(card.replace(/\s/g, "").slice(-4));
  await saveAutoRecharge(
    t.db,
    org.id,
    { enabled: true, topUpAmount: credits(settings.topUp ?? "250"), rechargeAt: credits(settings.rechargeAt ?? "100"), monthlyCeilingCents: settings.ceilingCents ?? null },
    user.id,
  );
  return { orgId: org.id, botId: bot.id, accountId: account.id };
}

/** The owner replaces the recharge card through Checkout in setup mode and comes back to the Billing page. */
async function replaceCard(orgId: string, card: string) {
  const setup = await createCardSetupCheckout(t.db, orgId, { successUrl: "http://app/billing?card=1", cancelUrl: "http://app/billing" }, h.stripe);
  expect((await h.control(`/_sandbox/pay/${setup.sessionId}`, { card })).status).toBe(200);
  const saved = await saveCardFromSession(t.db, orgId, setup.sessionId, h.stripe);
  // The setup's own webhook saves the card too and may be the one paying a waiting recharge: let it finish.
  await h.idle();
  await balanceWorkSettled();
  return saved;
}

/** The owner saves the settings on the Billing page (what its server action does). */
const ownerSaves = (orgId: string, values: { enabled?: boolean; topUp: string; rechargeAt?: string; ceilingCents?: number | null }) =>
  saveSettingsAndRecharge(
    t.db,
    orgId,
    { enabled: values.enabled ?? true, topUpAmount: credits(values.topUp), rechargeAt: credits(values.rechargeAt ?? "100"), monthlyCeilingCents: values.ceilingCents ?? null },
    null,
    { stripe: h.stripe },
  );

/** The sandbox's Stripe, except that one call fails the way Stripe does when it is having trouble (a 500). */
function stripeFailing(resource: "invoices" | "invoiceItems", method: string): Stripe {
  const failing = Object.create(h.stripe[resource], {
    [method]: { value: async () => Promise.reject(new Stripe.errors.StripeAPIError({ type: "api_error", message: "An unknown error occurred" })) },
  });
  return Object.create(h.stripe, { [resource]: { value: failing } });
}

/** Stripe out of reach: every call is a connection error. */
const stripeUnreachable = () => createStripeClient({ sandboxUrl: "http://127.0.0.1:9", maxNetworkRetries: 0 });

/** Changes the platform settings for one test and puts them back after. */
async function withPlatform<T>(changes: Partial<PlatformSettings>, run: () => Promise<T>): Promise<T> {
  const before = await getPlatformSettings(t.db);
  const pick = (p: PlatformSettings) => ({ minTopUpAmount: p.minTopUpAmount, minRechargeAt: p.minRechargeAt, creditPriceCents: p.creditPriceCents, maxConsecutiveFailures: p.maxConsecutiveFailures });
  await updatePlatformSettings(t.db, { ...pick(before), ...changes });
  try {
    return await run();
  } finally {
    await updatePlatformSettings(t.db, pick(before));
  }
}

const customerOf = async (invoiceId: string) => (await h.stripe.invoices.retrieve(invoiceId)).customer as string;
const paidInvoiceAmounts = async (customer: string) => (await h.stripe.invoices.list({ customer, status: "paid" })).data.map((i) => i.amount_paid);

const available = async (accountId: string) => Credits.format((await getBalance(t.db, accountId)).available);
const rechargesOf = (orgId: string) => t.db.select().from(recharges).where(eq(recharges.organizationId, orgId)).orderBy(recharges.createdAt);
const notificationsOf = async (orgId: string, kind: string) =>
  (await t.db.select().from(notifications).where(and(eq(notifications.organizationId, orgId), sql`${notifications.kind} = ${kind}`))).length;

async function waitFor<T>(probe: () => Promise<T>, done: (v: T) => boolean, ms = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() - start > ms) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("auto-recharge", () => {
  it("saves the card (brand and last 4) and refuses values under the minimums", async () => {
    const { orgId } = await orgWithCard("Card Co", "4242 4242 4242 4242", "1000");
    const settings = await getAutoRecharge(t.db, orgId);
    expect(settings).toMatchObject({ enabled: true, cardBrand: "visa", cardLast4: "4242" });
    await expect(saveAutoRecharge(t.db, orgId, { enabled: true, topUpAmount: credits("100"), rechargeAt: credits("100"), monthlyCeilingCents: null }, null)).rejects.toThrow(
      "Top-up amount must be at least 250 credits",
    );
    await expect(saveAutoRecharge(t.db, orgId, { enabled: true, topUpAmount: credits("250"), rechargeAt: credits("50"), monthlyCeilingCents: null }, null)).rejects.toThrow(
      "Recharge threshold must be at least 100 credits",
    );
  });

  it("enabling while already below the threshold charges at once, with an invoice PDF, a paid batch, a notification and an email", async () => {
    const { orgId, accountId } = await orgWithCard("Below Co", "4242424242424242", "50");
    const outcome = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe });
    expect(outcome).toMatchObject({ status: "succeeded", amount: credits("250"), priceCents: 25_000, attempts: 1 });
    expect(outcome!.invoicePdfUrl).toMatch(/\/i\/in_.+\/pdf$/);
    const pdf = await fetch(outcome!.invoicePdfUrl!);
    expect((await pdf.text()).startsWith("%PDF")).toBe(true);
    expect(await available(accountId)).toBe("300");
    const batches = (await getBalance(t.db, accountId)).batches;
    expect(batches.find((b) => b.source === "auto_recharge")).toMatchObject({ type: "paid", amount: credits("250") });
    expect(await notificationsOf(orgId, "recharge_succeeded")).toBe(1);
    const [mail] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.organizationId, orgId));
    expect(mail.to).toContain("billing@belowco.test");
    expect(mail.links.map((l) => l.label)).toContain("Invoice (PDF)");
    // Above the threshold now: nothing more happens.
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "again", stripe: h.stripe })).toBeNull();
  });

  it("300 concurrent charges crossing the threshold make exactly one charge", async () => {
    const { orgId, botId, accountId } = await orgWithCard("Hot Co", "4242424242424242", "120");
    resetBalanceAlertMemo();
    // 0.1 credits each (10,000 output tokens at 0.01 per 1K): 30 credits in all, crossing 100 at the 201st.
    const results = await Promise.allSettled(
      Array.from({ length: 300 }, () => chargeUsage(t.db, { organizationId: orgId, botId, actor: "operator", usage: { category: "llm", model_tier: "standard", input_tokens: 0, output_tokens: 10_000 } })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(300);
    const done = await waitFor(() => rechargesOf(orgId), (rows) => rows.length > 0 && rows.every((r) => r.status === "succeeded"));
    await new Promise((r) => setTimeout(r, 200)); // any straggling listener has had its chance
    expect((await rechargesOf(orgId)).length).toBe(1);
    expect(done[0]).toMatchObject({ status: "succeeded", trigger: "charge" });
    const invoices = await h.stripe.invoices.list({ customer: (await h.stripe.invoices.retrieve(done[0].stripeInvoiceId!)).customer as string });
    expect(invoices.data).toHaveLength(1);
    expect(await available(accountId)).toBe("340");
  });

  it("SPEC §17 ex. 6 through the API: 300 concurrent answers of 1 credit from 120 all succeed, waiting for the top-up", async () => {
    const { orgId, botId, accountId } = await orgWithCard("Six Co", "4242424242424242", "120");
    resetBalanceAlertMemo();
    const { createApiKey } = await import("@/lib/metering/api-keys");
    const { callRoute } = await import("@/test/api");
    const { POST: usagePOST } = await import("@/app/api/v1/usage-events/route");
    const key = (await createApiKey(t.db, { organizationId: orgId, name: "runtime" })).plaintext;
    // 100 web searches at 0.01 = 1 credit per answer; half of them with an Idempotency-Key.
    const replies = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        callRoute(usagePOST, {
          body: { bot_id: botId, actor: "operator", category: "web_search", searches: 100 },
          headers: { authorization: `Bearer ${key}`, ...(i % 2 ? { "idempotency-key": `answer-${i}` } : {}) },
        }),
      ),
    );
    expect(replies.filter((r) => r.status !== 201).map((r) => r.body.code)).toEqual([]);
    const rows = await waitFor(() => rechargesOf(orgId), (all) => all.length > 0 && all.every((r) => r.status === "succeeded"));
    await new Promise((r) => setTimeout(r, 200)); // any straggling listener has had its chance
    const settled = await rechargesOf(orgId);
    // The crossing at 100 paid once. The answers that waited for it leave 70, below 100 again: SPEC §7
    // then calls for another top-up, which may follow — but only after the first one resolved.
    expect(settled.length).toBeGreaterThanOrEqual(1);
    expect(settled.length).toBeLessThanOrEqual(2);
    if (settled.length === 2) expect(settled[1].createdAt.getTime()).toBeGreaterThanOrEqual(rows[0].resolvedAt!.getTime());
    expect(settled.every((r) => r.status === "succeeded")).toBe(true);
    expect(await available(accountId)).toBe(Credits.format(credits("120") + BigInt(settled.length) * credits("250") - credits("300")));
  });

  it("a refusal that the top-up answers sends no 'out of credits'; with a declined card it does", async () => {
    const { callRoute } = await import("@/test/api");
    const { createApiKey } = await import("@/lib/metering/api-keys");
    const { POST: usagePOST } = await import("@/app/api/v1/usage-events/route");
    resetBalanceAlertMemo();
    const answer = async (org: { orgId: string; botId: string }) =>
      callRoute(usagePOST, {
        body: { bot_id: org.botId, actor: "operator", category: "web_search", searches: 100 },
        headers: { authorization: `Bearer ${(await createApiKey(t.db, { organizationId: org.orgId, name: "runtime" })).plaintext}` },
      });

    const paying = await orgWithCard("Empty Paying Co", "4242424242424242", "0");
    expect((await answer(paying)).status).toBe(201);
    await balanceWorkSettled(); // the refusal's listeners and alerts run in the background
    expect(await notificationsOf(paying.orgId, "recharge_succeeded")).toBe(1);
    expect(await notificationsOf(paying.orgId, "out_of_credits")).toBe(0);
    expect(await notificationsOf(paying.orgId, "low_balance")).toBe(0);

    // Several refusals at once: one of them opens the top-up, the others' alerts wait for it too.
    const together = await orgWithCard("Empty Together Co", "4242424242424242", "0");
    const replies = await Promise.all(Array.from({ length: 6 }, () => answer(together)));
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    await balanceWorkSettled();
    expect(await notificationsOf(together.orgId, "out_of_credits")).toBe(0);
    expect(await notificationsOf(together.orgId, "low_balance")).toBe(0);

    const declined = await orgWithCard("Empty Declined Co", "4000000000000002", "0");
    const refused = await answer(declined);
    expect(refused.status).toBe(402);
    await balanceWorkSettled();
    expect(await notificationsOf(declined.orgId, "out_of_credits")).toBe(1);
    expect(await notificationsOf(declined.orgId, "recharge_failed")).toBe(1);
  });

  it("a refused charge does not wait while a declined card awaits its retry", async () => {
    const { orgId } = await orgWithCard("Declined Wait Co", "4000000000000002", "0.5");
    const { creditsOnTheWay } = await import("./wait");
    // The first refusal opens a recharge, which the card declines (retry scheduled).
    expect(await creditsOnTheWay(t.db, orgId, { stripe: h.stripe })).toBe(false);
    expect((await rechargesOf(orgId)).map((r) => r.status)).toEqual(["retrying"]);
    const started = Date.now();
    expect(await creditsOnTheWay(t.db, orgId, { stripe: h.stripe, timeoutMs: 5_000 })).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("a charge's late listener, reporting an available from before a recharge landed, does not charge the card again", async () => {
    const { orgId, accountId } = await orgWithCard("Late Co", "4242424242424242", "120");
    const { debit } = await import("@/lib/ledger/debit");
    // Two charges cross the threshold before any recharge lands: each listener gets the available its charge saw.
    const first = await debit(t.db, { accountId, amount: credits("21") }); // 99
    const second = await debit(t.db, { accountId, amount: credits("1") }); // 98
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", available: first.available, stripe: h.stripe })).toMatchObject({ status: "succeeded" });
    expect(await available(accountId)).toBe("348");
    // The second listener comes a moment later with its 98.
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", available: second.available, stripe: h.stripe })).toBeNull();
    expect((await rechargesOf(orgId)).map((r) => r.status)).toEqual(["succeeded"]);
    expect(await available(accountId)).toBe("348");
  });

  it("a refused estimate larger than the balance neither recharges nor says 'out of credits' while 500 are available", async () => {
    const { orgId, botId, accountId } = await orgWithCard("Big Ask Co", "4242424242424242", "500");
    resetBalanceAlertMemo();
    const refused = await authorize(t.db, { organizationId: orgId, botId, actor: "operator", amount: credits("600") }).catch((e) => e);
    expect(refused.code).toBe("insufficient_credits");
    const direct = await chargeUsage(t.db, { organizationId: orgId, botId, actor: "operator", usage: { category: "web_search", searches: 60_000 } }).catch((e) => e);
    expect(direct.code).toBe("insufficient_credits");
    await balanceWorkSettled(); // the listeners run after the refusal, in the background
    expect(await rechargesOf(orgId)).toEqual([]);
    expect(await notificationsOf(orgId, "out_of_credits")).toBe(0);
    expect(await available(accountId)).toBe("500");
  });

  it("a declined card retries on schedule, then switches itself off; hourly alerts while at zero, none after recovery", async () => {
    const { orgId, accountId, botId } = await orgWithCard("Declined Co", "4000000000000002", "0");
    const t0 = new Date("2026-11-21T10:00:00Z");
    const first = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe, now: t0 });
    expect(first).toMatchObject({ status: "retrying", attempts: 1 });
    expect(first!.nextAttemptAt!.getTime()).toBe(t0.getTime() + RETRY_BACKOFF_MS[0]);
    expect(await notificationsOf(orgId, "recharge_failed")).toBe(1);

    // Not due yet: nothing happens; a new threshold crossing cannot open a second recharge.
    await runAutoRechargeSweep(t.db, { stripe: h.stripe, now: new Date(t0.getTime() + 30 * 60_000) });
    expect((await rechargesOf(orgId))[0].attempts).toBe(1);
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", stripe: h.stripe })).toBeNull();

    const t1 = new Date(t0.getTime() + RETRY_BACKOFF_MS[0] + 1000);
    await runAutoRechargeSweep(t.db, { stripe: h.stripe, now: t1 });
    let [recharge] = await rechargesOf(orgId);
    expect(recharge).toMatchObject({ status: "retrying", attempts: 2 });
    expect(recharge.nextAttemptAt!.getTime()).toBe(t1.getTime() + RETRY_BACKOFF_MS[1]);

    const t2 = new Date(t1.getTime() + RETRY_BACKOFF_MS[1] + 1000);
    await runAutoRechargeSweep(t.db, { stripe: h.stripe, now: t2 });
    [recharge] = await rechargesOf(orgId);
    expect(recharge).toMatchObject({ status: "failed", attempts: 3 });
    const settings = await getAutoRecharge(t.db, orgId);
    expect(settings).toMatchObject({ enabled: false, consecutiveFailures: 3 });
    expect(settings!.disabledReason).toMatch(/Switched off after 3 failed payments/);
    expect(await notificationsOf(orgId, "recharge_disabled")).toBe(1);

    // Bots stop at zero.
    await expect(authorize(t.db, { organizationId: orgId, botId, actor: "operator", amount: credits("0.01") })).rejects.toMatchObject({ code: "insufficient_credits" });

    // Hourly alerts while at zero: one per hour, however often the job runs.
    const before = await notificationsOf(orgId, "recharge_failed");
    expect(await alertWhileStalled(t.db, new Date("2026-11-22T08:05:00Z"))).toBeGreaterThanOrEqual(1);
    await alertWhileStalled(t.db, new Date("2026-11-22T08:45:00Z"));
    expect(await notificationsOf(orgId, "recharge_failed")).toBe(before + 1);
    await alertWhileStalled(t.db, new Date("2026-11-22T09:05:00Z"));
    expect(await notificationsOf(orgId, "recharge_failed")).toBe(before + 2);

    // Credits arrive (the owner buys a pack): no more alerts, and authorizations work again by themselves.
    await grantBatch(t.db, { accountId, type: "paid", source: "pack", amount: credits("20") });
    await alertWhileStalled(t.db, new Date("2026-11-22T10:05:00Z"));
    expect(await notificationsOf(orgId, "recharge_failed")).toBe(before + 2);
    await expect(authorize(t.db, { organizationId: orgId, botId, actor: "operator", amount: credits("0.01") })).resolves.toMatchObject({ status: "held" });
  });

  it("a card that needs 3-D Secure sends the owner a link; completing it grants the credits once", async () => {
    const { orgId, accountId } = await orgWithCard("Secure Co", "4000002760003184", "10");
    const outcome = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe });
    expect(outcome).toMatchObject({ status: "requires_action" });
    expect(outcome!.actionUrl).toMatch(/\/i\/in_/);
    const [note] = await t.db.select().from(notifications).where(and(eq(notifications.organizationId, orgId), eq(notifications.kind, "recharge_requires_action")));
    expect(note.link).toBe(outcome!.actionUrl);
    expect(await available(accountId)).toBe("10");

    // The owner completes the payment on the hosted invoice page; Stripe then sends invoice.paid.
    const invoice = await h.stripe.invoices.retrieve(outcome!.stripeInvoiceId!, { expand: ["payments"] });
    const pi = (invoice as unknown as { payments: { data: { payment: { payment_intent: string | { id: string } } }[] } }).payments.data[0].payment.payment_intent;
    const piId = typeof pi === "string" ? pi : pi.id;
    expect((await h.control(`/_sandbox/authenticate/${piId}`, { result: "complete" })).status).toBe(200);
    const paid = await h.stripe.invoices.retrieve(outcome!.stripeInvoiceId!);
    expect(paid.status).toBe("paid");
    await completeRechargeForInvoice(t.db, paid);
    await completeRechargeForInvoice(t.db, paid); // delivered twice: still one grant
    expect(await available(accountId)).toBe("260");
    expect((await rechargesOf(orgId))[0].status).toBe("succeeded");
  });

  it("a recharge closed as failed while the owner paid it, then refunded before its invoice.paid arrives: granted and taken back, the late event grants nothing", async () => {
    const { orgId, accountId } = await orgWithCard("Closed Refunded Co", "4000002760003184", "10");
    const waiting = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe });
    expect(waiting).toMatchObject({ status: "requires_action" });
    h.detach(); // the events below are delivered by hand, in the order that went wrong
    try {
      const invoice = await h.stripe.invoices.retrieve(waiting!.stripeInvoiceId!, { expand: ["payments"] });
      const pi = invoice.payments!.data[0].payment.payment_intent!;
      const piId = typeof pi === "string" ? pi : pi.id;
      expect((await h.control(`/_sandbox/authenticate/${piId}`, { result: "complete" })).status).toBe(200);
      // Our side closed it as the owner was paying (settings saved in that instant).
      await t.db.update(recharges).set({ status: "failed", resolvedAt: new Date() }).where(eq(recharges.id, waiting!.id));
      const refund = await h.stripe.refunds.create({ payment_intent: piId });
      await reversePayment(t.db, { paymentIntentId: piId, reason: "refunded", reversedMinor: refund.amount, capturedMinor: refund.amount }, h.stripe);
      expect((await rechargesOf(orgId)).map((r) => r.status)).toEqual(["refunded"]);
      expect(await available(accountId)).toBe("10");

      await completeRechargeForInvoice(t.db, await h.stripe.invoices.retrieve(waiting!.stripeInvoiceId!));
      expect(await available(accountId)).toBe("10");
      expect((await rechargesOf(orgId)).map((r) => r.status)).toEqual(["refunded"]);
      const batches = await t.db.execute(sql`select count(*)::int as n from batches where account_id = ${accountId} and source = 'auto_recharge'`);
      expect(batches).toEqual([{ n: 1 }]);
    } finally {
      h.attach();
      // Still below its threshold with auto-recharge on: off, so later tests' sweeps do not top it up.
      await t.db.update(autoRechargeSettings).set({ enabled: false }).where(eq(autoRechargeSettings.organizationId, orgId));
      forgetAutoRechargeCache(orgId);
    }
  });

  it("respects the monthly spending ceiling: no charge, owner told", async () => {
    const { orgId, accountId } = await orgWithCard("Ceiling Co", "4242424242424242", "50", { ceilingCents: 25_000 });
    const now = new Date();
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe, now })).toMatchObject({ status: "succeeded" });
    // Spend down again below 100.
    const { debit } = await import("@/lib/ledger/debit");
    await debit(t.db, { accountId, amount: credits("250") });
    const second = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", stripe: h.stripe, now });
    expect(second).toMatchObject({ status: "skipped", failureReason: "Monthly spending ceiling reached" });
    expect(await notificationsOf(orgId, "spending_ceiling_reached")).toBe(1);
    expect(await available(accountId)).toBe("50");
    const succeeded = (await rechargesOf(orgId)).filter((r) => r.status === "succeeded");
    expect(succeeded).toHaveLength(1);
    // Every later charge and sweep of the month finds that skipped recharge: no new row, no new notice.
    for (let i = 0; i < 3; i++) {
      await debit(t.db, { accountId, amount: credits("1") });
      expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", stripe: h.stripe })).toMatchObject({ id: second!.id, status: "skipped" });
    }
    expect((await runAutoRechargeSweep(t.db, { stripe: h.stripe })).processed).toBe(0);
    expect((await rechargesOf(orgId)).map((r) => r.status).sort()).toEqual(["skipped", "succeeded"]);
    // Changed settings that the ceiling still blocks: one more skipped recharge says so, then quiet again.
    const settings = (await getAutoRecharge(t.db, orgId))!;
    await saveAutoRecharge(t.db, orgId, { enabled: true, topUpAmount: settings.topUpAmount, rechargeAt: credits("120"), monthlyCeilingCents: 30_000 }, null);
    const third = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", stripe: h.stripe });
    expect(third).toMatchObject({ status: "skipped" });
    expect(third!.id).not.toBe(second!.id);
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", stripe: h.stripe })).toMatchObject({ id: third!.id });
    expect((await rechargesOf(orgId)).map((r) => r.status).sort()).toEqual(["skipped", "skipped", "succeeded"]);
    // Raising the ceiling lets the next crossing charge again.
    await saveAutoRecharge(t.db, orgId, { enabled: true, topUpAmount: settings.topUpAmount, rechargeAt: settings.rechargeAt, monthlyCeilingCents: 50_000 }, null);
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", stripe: h.stripe })).toMatchObject({ status: "succeeded" });
    expect(await available(accountId)).toBe("297");
  });

  it("processing the same recharge twice charges once", async () => {
    const { orgId } = await orgWithCard("Twice Co", "4242424242424242", "10");
    const { requestRecharge } = await import("./recharge");
    const recharge = await requestRecharge(t.db, orgId, { trigger: "test" });
    const [a, b] = await Promise.all([processRecharge(t.db, recharge!.id, { stripe: h.stripe }), processRecharge(t.db, recharge!.id, { stripe: h.stripe })]);
    expect([a.status, b.status]).toContain("succeeded");
    const [row] = await rechargesOf(orgId);
    expect(row.status).toBe("succeeded");
    const invoice = await h.stripe.invoices.retrieve(row.stripeInvoiceId!);
    const all = await h.stripe.invoices.list({ customer: invoice.customer as string });
    expect(all.data).toHaveLength(1);
  });

  it("an invoice that failed to open leaves no charge behind: the next recharge charges its own top-up only", async () => {
    const { orgId, accountId } = await orgWithCard("Abandoned Co", "4242424242424242", "50");
    const stalled = await requestRecharge(t.db, orgId, { trigger: "charge" });
    await expect(processRecharge(t.db, stalled!.id, { stripe: stripeFailing("invoices", "create") })).rejects.toThrow();
    // The owner turns auto-recharge off; the stalled recharge closes without a charge.
    await saveAutoRecharge(t.db, orgId, { enabled: false, topUpAmount: credits("250"), rechargeAt: credits("100"), monthlyCeilingCents: null }, null);
    expect(await processRecharge(t.db, stalled!.id, { stripe: h.stripe })).toMatchObject({ status: "failed" });
    // Back on: one top-up of 250 credits for $250.
    await saveAutoRecharge(t.db, orgId, { enabled: true, topUpAmount: credits("250"), rechargeAt: credits("100"), monthlyCeilingCents: null }, null);
    const next = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe });
    expect(next).toMatchObject({ status: "succeeded", priceCents: 25_000 });
    expect(await paidInvoiceAmounts(await customerOf(next!.stripeInvoiceId!))).toEqual([25_000]);
    expect(await available(accountId)).toBe("300");
  });

  it("a crossing read just before another instance's top-up lands does not charge the card again", async () => {
    const { orgId, accountId } = await orgWithCard("Landed Co", "4242424242424242", "50");
    const other = await requestRecharge(t.db, orgId, { trigger: "charge" }); // another instance is paying this one
    // Hold the sweep between its balance read and its insert: the insert reads the platform settings.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = t.db.transaction(async (tx) => {
      await tx.execute(sql`lock table platform_settings in access exclusive mode`);
      locked();
      await released;
    });
    await isLocked;
    const sweep = rechargeIfBelowThreshold(t.db, orgId, { trigger: "sweep", stripe: h.stripe });
    await waitFor(
      async () => (await t.db.execute<{ n: number }>(sql`select count(*)::int as n from pg_locks where not granted and relation = 'platform_settings'::regclass`))[0].n,
      (n) => n > 0,
    );
    await completeRecharge(t.db, other!.id, { invoicePdfUrl: null, hostedInvoiceUrl: null }); // the other top-up lands
    release();
    await holder;
    expect(await sweep).toBeNull();
    expect(await available(accountId)).toBe("300");
    expect((await rechargesOf(orgId)).map((r) => r.status)).toEqual(["succeeded"]);
  });

  it("lowering the top-up while a declined recharge waits: the owner is charged the new amount, the old invoice is voided", async () => {
    const { orgId, accountId } = await orgWithCard("Lowered Co", "4000000000000002", "0", { topUp: "1000" });
    const declined = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe });
    expect(declined).toMatchObject({ status: "retrying", priceCents: 100_000 });
    await ownerSaves(orgId, { topUp: "250" });
    await replaceCard(orgId, "4242424242424242");
    await runAutoRechargeSweep(t.db, { stripe: h.stripe, now: new Date(Date.now() + 2 * 60 * 60_000) });
    expect(await available(accountId)).toBe("250");
    const customer = await customerOf(declined!.stripeInvoiceId!);
    expect(await paidInvoiceAmounts(customer)).toEqual([25_000]);
    expect((await h.stripe.invoices.retrieve(declined!.stripeInvoiceId!)).status).toBe("void");
  });

  it("a payment waiting for 3-D Secure does not block auto-recharge: a new card replaces it and pays at once", async () => {
    const { orgId, accountId } = await orgWithCard("Stuck Secure Co", "4000002760003184", "10");
    const waiting = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe });
    expect(waiting).toMatchObject({ status: "requires_action" });
    await replaceCard(orgId, "4242424242424242");
    expect(await available(accountId)).toBe("260");
    expect((await rechargesOf(orgId)).map((r) => r.status)).toEqual(["failed", "succeeded"]);
    expect((await h.stripe.invoices.retrieve(waiting!.stripeInvoiceId!)).status).toBe("void");
    expect(await paidInvoiceAmounts(await customerOf(waiting!.stripeInvoiceId!))).toEqual([25_000]);
  });

  it("a failed 3-D Secure counts as a declined payment: the owner is told and it is retried later", async () => {
    const { orgId } = await orgWithCard("Failed Secure Co", "4000002760003184", "10");
    const waiting = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe });
    expect(waiting).toMatchObject({ status: "requires_action" });
    const invoice = await h.stripe.invoices.retrieve(waiting!.stripeInvoiceId!, { expand: ["payments"] });
    const pi = (invoice as unknown as { payments: { data: { payment: { payment_intent: string } }[] } }).payments.data[0].payment.payment_intent;
    expect((await h.control(`/_sandbox/authenticate/${pi}`, { result: "fail" })).status).toBe(200);
    const failedEvents = h.sandbox.events().filter((e) => e.type === "invoice.payment_failed" && e.data.object.id === waiting!.stripeInvoiceId);
    // Stripe sends payment_failed both when the bank first asks for 3-D Secure and when it fails: both arrive.
    for (const event of failedEvents) expect((await h.deliver(event)).status).toBe(200);
    const [recharge] = await rechargesOf(orgId);
    expect(recharge).toMatchObject({ status: "retrying" });
    expect(recharge.nextAttemptAt).not.toBeNull();
    expect(await getAutoRecharge(t.db, orgId)).toMatchObject({ enabled: true, consecutiveFailures: 1 });
    expect(await notificationsOf(orgId, "recharge_failed")).toBe(1);
  });

  it("the sweep gives up waiting for 3-D Secure after a day and tells the owner", async () => {
    const { orgId } = await orgWithCard("Ignored Secure Co", "4000002760003184", "10");
    const t0 = new Date();
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe, now: t0 })).toMatchObject({ status: "requires_action" });
    await runAutoRechargeSweep(t.db, { stripe: h.stripe, now: new Date(t0.getTime() + 23 * 60 * 60_000) });
    expect((await rechargesOf(orgId))[0].status).toBe("requires_action");
    await runAutoRechargeSweep(t.db, { stripe: h.stripe, now: new Date(t0.getTime() + 25 * 60 * 60_000) });
    const [recharge] = await rechargesOf(orgId);
    expect(recharge.status).not.toBe("requires_action");
    expect(recharge.failureReason).toMatch(/confirm/i);
    expect(await notificationsOf(orgId, "recharge_failed")).toBe(1);
    expect(await getAutoRecharge(t.db, orgId)).toMatchObject({ consecutiveFailures: 1 });
  });

  it("saving a new card pays a declined recharge at once, not at its next retry", async () => {
    const { orgId, accountId } = await orgWithCard("Fixed Card Co", "4000000000000002", "0");
    const declined = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe });
    expect(declined).toMatchObject({ status: "retrying" });
    await replaceCard(orgId, "4242424242424242");
    expect(await available(accountId)).toBe("250");
    expect((await rechargesOf(orgId)).map((r) => r.status)).toEqual(["succeeded"]);
    expect(await getAutoRecharge(t.db, orgId)).toMatchObject({ enabled: true, consecutiveFailures: 0 });
  });

  it("a card Stripe refuses to use (invalid request) is treated like a decline: owner told, retried later", async () => {
    const { orgId } = await orgWithCard("Removed Card Co", "4242424242424242", "0");
    await t.db.update(autoRechargeSettings).set({ paymentMethodId: "pm_removed_from_stripe" }).where(eq(autoRechargeSettings.organizationId, orgId));
    const now = new Date();
    const outcome = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe, now });
    expect(outcome).toMatchObject({ status: "retrying" });
    expect(outcome!.nextAttemptAt!.getTime()).toBe(now.getTime() + RETRY_BACKOFF_MS[0]);
    expect(await notificationsOf(orgId, "recharge_failed")).toBe(1);
    expect(await getAutoRecharge(t.db, orgId)).toMatchObject({ consecutiveFailures: 1 });
  });

  it("Stripe out of reach: the recharge stays pending for the sweep, and after 30 minutes counts as a failure the owner hears of", async () => {
    const { orgId } = await orgWithCard("Outage Co", "4242424242424242", "0");
    const t0 = new Date();
    const recharge = await requestRecharge(t.db, orgId, { trigger: "charge", now: t0 });
    await expect(processRecharge(t.db, recharge!.id, { stripe: stripeUnreachable(), now: t0 })).rejects.toThrow();
    await expect(processRecharge(t.db, recharge!.id, { stripe: stripeUnreachable(), now: new Date(t0.getTime() + 10 * 60_000) })).rejects.toThrow();
    expect((await rechargesOf(orgId))[0]).toMatchObject({ status: "pending" });
    expect(await notificationsOf(orgId, "recharge_failed")).toBe(0);
    const capped = await processRecharge(t.db, recharge!.id, { stripe: stripeUnreachable(), now: new Date(t0.getTime() + 31 * 60_000) });
    expect(capped).toMatchObject({ status: "retrying" });
    expect(await notificationsOf(orgId, "recharge_failed")).toBe(1);
  });

  it("temporary Stripe errors before a decline do not switch auto-recharge off at the first decline", async () => {
    const { orgId } = await orgWithCard("Flaky Co", "4000000000000002", "0");
    const recharge = await requestRecharge(t.db, orgId, { trigger: "charge" });
    for (let i = 0; i < 3; i++) await expect(processRecharge(t.db, recharge!.id, { stripe: stripeUnreachable() })).rejects.toThrow();
    const now = new Date();
    const declined = await processRecharge(t.db, recharge!.id, { stripe: h.stripe, now });
    expect(declined).toMatchObject({ status: "retrying" });
    expect(declined.nextAttemptAt!.getTime()).toBe(now.getTime() + RETRY_BACKOFF_MS[0]);
    expect(await getAutoRecharge(t.db, orgId)).toMatchObject({ enabled: true, consecutiveFailures: 1 });
  });

  it("the platform's limit of consecutive failures above 4 is honoured: it keeps retrying daily until the 6th", async () => {
    await withPlatform({ maxConsecutiveFailures: 6 }, async () => {
      const { orgId } = await orgWithCard("Patient Co", "4000000000000002", "0");
      let now = new Date("2026-11-23T10:00:00Z");
      let recharge = (await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe, now }))!;
      const waits: number[] = [];
      for (let decline = 2; decline <= 6; decline++) {
        waits.push(recharge.nextAttemptAt!.getTime() - now.getTime());
        now = new Date(recharge.nextAttemptAt!.getTime() + 1000);
        recharge = await processRecharge(t.db, recharge.id, { stripe: h.stripe, now });
        if (decline < 6) expect(recharge).toMatchObject({ status: "retrying" });
      }
      expect(waits).toEqual([...RETRY_BACKOFF_MS, RETRY_BACKOFF_MS.at(-1), RETRY_BACKOFF_MS.at(-1)]);
      expect(recharge).toMatchObject({ status: "failed" });
      const settings = await getAutoRecharge(t.db, orgId);
      expect(settings).toMatchObject({ enabled: false, consecutiveFailures: 6 });
      expect(settings!.disabledReason).toMatch(/after 6 failed payments/);
    });
  });

  it("a lower credit price that makes a top-up fit under the ceiling charges at the next crossing", async () => {
    const { orgId, accountId } = await orgWithCard("Cheaper Co", "4242424242424242", "50", { ceilingCents: 30_000 });
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe })).toMatchObject({ status: "succeeded", priceCents: 25_000 });
    const { debit } = await import("@/lib/ledger/debit");
    await debit(t.db, { accountId, amount: credits("250") });
    const skipped = await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", stripe: h.stripe });
    expect(skipped).toMatchObject({ status: "skipped" });
    // A later crossing finds that skipped recharge (and remembers it).
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", stripe: h.stripe })).toMatchObject({ id: skipped!.id });
    await withPlatform({ creditPriceCents: 20 }, async () => {
      expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", stripe: h.stripe })).toMatchObject({ status: "succeeded", priceCents: 5_000 });
    });
    expect(await available(accountId)).toBe("300");
  });

  it("the recharge email offers the invoice as links and does not promise an attachment", async () => {
    const { orgId } = await orgWithCard("Mail Co", "4242424242424242", "50");
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe })).toMatchObject({ status: "succeeded" });
    const mails = await t.db.select().from(emailOutbox).where(eq(emailOutbox.organizationId, orgId));
    const mail = mails.find((m) => m.links.some((l) => l.label === "Invoice (PDF)"))!;
    expect(mail.text).not.toMatch(/attach/i);
    expect(mail.text).toMatch(/invoice/i);
  });

  it("a sub-account buys from its agency: it can neither set up platform auto-recharge nor be charged by it", async () => {
    const [agency] = await t.db.insert(organizations).values({ name: "Agency Co", kind: "agency" }).returning();
    const [sub] = await t.db.insert(organizations).values({ name: "Sub Co", parentId: agency.id }).returning();
    const urls = { successUrl: "http://app/billing?card=1", cancelUrl: "http://app/billing" };
    await expect(createCardSetupCheckout(t.db, sub.id, urls, h.stripe)).rejects.toMatchObject({ status: 403, code: "sub_account_buys_from_agency" });
    await expect(saveAutoRecharge(t.db, sub.id, { enabled: false, topUpAmount: credits("250"), rechargeAt: credits("100"), monthlyCeilingCents: null }, null)).rejects.toMatchObject({
      status: 403,
      code: "sub_account_buys_from_agency",
    });
    // An organization that set auto-recharge up before it joined an agency is not charged by it any more.
    const { orgId, accountId } = await orgWithCard("Joined Agency Co", "4242424242424242", "50");
    await t.db.update(organizations).set({ parentId: agency.id }).where(eq(organizations.id, orgId));
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", stripe: h.stripe })).toBeNull();
    expect(await rechargesOf(orgId)).toEqual([]);
    expect(await available(accountId)).toBe("50");
  });

  it("turning auto-recharge off while at zero after a decline stops the hourly failure alert; the daily out-of-credits alert remains", async () => {
    const { orgId, botId } = await orgWithCard("Turned Off Co", "4000000000000002", "0");
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe })).toMatchObject({ status: "retrying" });
    const before = await notificationsOf(orgId, "recharge_failed");
    await alertWhileStalled(t.db, new Date("2026-12-01T08:05:00Z"));
    expect(await notificationsOf(orgId, "recharge_failed")).toBe(before + 1);

    // The owner turns it off on the Billing page: the declined recharge is closed.
    await ownerSaves(orgId, { enabled: false, topUp: "250" });
    expect((await rechargesOf(orgId)).map((r) => r.status)).toEqual(["failed"]);
    for (const at of ["2026-12-01T09:05:00Z", "2026-12-01T10:05:00Z"]) await alertWhileStalled(t.db, new Date(at));
    expect(await notificationsOf(orgId, "recharge_failed")).toBe(before + 1);

    // Still at zero: a refused answer still says "out of credits" (SPEC §9).
    resetBalanceAlertMemo();
    await expect(authorize(t.db, { organizationId: orgId, botId, actor: "operator", amount: credits("0.01") })).rejects.toMatchObject({ code: "insufficient_credits" });
    await balanceWorkSettled();
    expect(await notificationsOf(orgId, "out_of_credits")).toBe(1);
  });

  it("switched off by its failures, it alerts hourly at zero until the owner saves it off", async () => {
    await withPlatform({ maxConsecutiveFailures: 1 }, async () => {
      const { orgId } = await orgWithCard("Disabled Then Off Co", "4000000000000002", "0");
      expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe })).toMatchObject({ status: "failed" });
      expect(await getAutoRecharge(t.db, orgId)).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/Switched off/) });
      const before = await notificationsOf(orgId, "recharge_failed");
      await alertWhileStalled(t.db, new Date("2026-12-02T08:05:00Z"));
      expect(await notificationsOf(orgId, "recharge_failed")).toBe(before + 1);
      // The owner has seen it and keeps auto-recharge off.
      await ownerSaves(orgId, { enabled: false, topUp: "250" });
      expect(await getAutoRecharge(t.db, orgId)).toMatchObject({ enabled: false, disabledReason: null });
      await alertWhileStalled(t.db, new Date("2026-12-02T09:05:00Z"));
      expect(await notificationsOf(orgId, "recharge_failed")).toBe(before + 1);
    });
  });

  it("refuses a threshold at or above the top-up amount: nothing saved, nothing charged", async () => {
    const { orgId } = await orgWithCard("Chain Co", "4242424242424242", "0", { topUp: "250", rechargeAt: "100" });
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "enabled", stripe: h.stripe })).toMatchObject({ status: "succeeded" }); // 0 → 250
    for (const rechargeAt of ["300", "250"]) {
      await expect(ownerSaves(orgId, { topUp: "250", rechargeAt })).rejects.toMatchObject({
        status: 400,
        details: { errors: [{ field: "recharge_at", message: expect.stringMatching(/^Recharge threshold must be below the top-up amount \(250 credits\)/) }] },
      });
    }
    expect(await getAutoRecharge(t.db, orgId)).toMatchObject({ rechargeAt: credits("100"), topUpAmount: credits("250") });
    expect(await rechargeIfBelowThreshold(t.db, orgId, { trigger: "charge", stripe: h.stripe })).toBeNull();
    expect((await rechargesOf(orgId)).map((r) => r.status)).toEqual(["succeeded"]);
  });

  it("a cached read that began before a save does not put the old settings back in the cache", async () => {
    const { orgId } = await orgWithCard("Cache Race Co", "4242424242424242", "1000");
    forgetAutoRechargeCache(orgId);
    // A listener's read reaches the database before the save, and gets its answer back only after it.
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    let queried!: () => void;
    const hasQueried = new Promise<void>((resolve) => (queried = resolve));
    const slowDb = {
      select: () => ({
        from: () => ({
          where: async () => {
            const rows = await t.db.select().from(autoRechargeSettings).where(eq(autoRechargeSettings.organizationId, orgId));
            queried();
            await answered;
            return rows;
          },
        }),
      }),
    } as unknown as DbOrTx;
    const stale = getAutoRecharge(slowDb, orgId, { cached: true });
    await hasQueried;
    await ownerSaves(orgId, { enabled: false, topUp: "500", rechargeAt: "200" });
    answer();
    expect(await stale).toMatchObject({ enabled: true, topUpAmount: credits("250") }); // what it read, for its own caller
    // The next cached read, within the cache's 5 s, sees the save.
    expect(await getAutoRecharge(t.db, orgId, { cached: true })).toMatchObject({ enabled: false, topUpAmount: credits("500"), rechargeAt: credits("200") });
  });

  it("a charge crossing the threshold inside a transaction (an Idempotency-Key request) is topped up once that transaction commits", async () => {
    const { orgId, botId, accountId } = await orgWithCard("Idempotent Co", "4242424242424242", "120");
    resetBalanceAlertMemo();
    const lockWaits = async () =>
      (
        await t.db.execute<{ n: number }>(
          sql`select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid where a.datname = current_database() and not l.granted`,
        )
      )[0].n;
    await t.db.transaction(async (tx) => {
      // 21 credits: 120 → 99, below 100, reported to the listener before this transaction commits.
      const charged = await chargeUsage(tx, { organizationId: orgId, botId, actor: "operator", usage: { category: "web_search", searches: 2100 } });
      expect(charged.available).toBe(credits("99"));
      // Let the listener run as far as it gets while the charge is uncommitted: to its end, or until it
      // waits for this transaction.
      let listenerDone = false;
      void balanceWorkSettled().then(() => (listenerDone = true));
      await waitFor(lockWaits, (n) => n > 0 || listenerDone, 10_000);
    });
    await balanceWorkSettled();
    expect((await rechargesOf(orgId)).map((r) => ({ status: r.status, trigger: r.trigger }))).toEqual([{ status: "succeeded", trigger: "charge" }]);
    expect(await available(accountId)).toBe("349");
  });

  it("leaves the ledger consistent", async () => {
    expect(await verifyLedger(t.db)).toEqual([]);
  });
});
