import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { orders } from "@/db/schema";
import { setSubAccountStatus, type AgencyActor } from "@/lib/agency";
import { Credits } from "@/lib/ledger/credits";
import { createPlanCheckout } from "./checkout";
import { fulfilCheckoutSession } from "./fulfil";
import { COLLECTION_PAUSED, COLLECTION_RESUMED, syncAllPlanCollections } from "./pause-subscriptions";
import { createStripeClient } from "./stripe";
import { batchCount, seedPlanWorld, startBillingHarness, type BillingHarness } from "./test-helpers";

const t = useTestDb();
let h: BillingHarness;
const urls = { successUrl: "http://app.test/success?session_id={CHECKOUT_SESSION_ID}", cancelUrl: "http://app.test/cancel" };

beforeAll(async () => {
  h = await startBillingHarness(() => t.db);
});
afterAll(async () => {
  await h?.stop();
});

async function q<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return (await t.db.execute(query)) as unknown as T[];
}

/** An agency whose sub-account's bot sells a weekly plan, and one visitor subscribed to it (first week paid and granted). */
async function subscribedSubAccount(name: string) {
  const [agency] = await q<{ id: string }>(sql`insert into organizations (name, kind) values (${`${name} Agency`}, 'agency') returning id`);
  const [admin] = await q<{ id: string }>(sql`insert into users (email, name, password_hash) values (${`${name.toLowerCase().replace(/\W/g, "")}@agency.test`}, 'A', 'x') returning id`);
  await q(sql`insert into memberships (user_id, organization_id, role) values (${admin.id}, ${agency.id}, 'admin')`);
  const w = await seedPlanWorld(t.db, name, { name: "Weekly", priceMinor: 300, interval: "week", credits: Credits.of(100) });
  await q(sql`update organizations set parent_id = ${agency.id} where id = ${w.orgId}`);
  const started = await createPlanCheckout(t.db, { planId: w.plan.id, botId: w.botId, endUserId: w.endUserId, ...urls }, h.stripe);
  await h.control(`/_sandbox/pay/${started.sessionId}`, {});
  await fulfilCheckoutSession(t.db, started.sessionId, h.stripe);
  await h.idle();
  const [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
  expect(await batchCount(t.db, w.accountId)).toBe(1);
  const actor: AgencyActor = { userId: admin.id, orgId: agency.id };
  return { ...w, actor, subscriptionId: order.stripeSubscriptionId! };
}

function renewalsOf(subscriptionId: string, type: string) {
  return h.sandbox.events().filter((e) => {
    const invoice = e.data.object as Stripe.Invoice;
    const s = invoice.parent?.subscription_details?.subscription;
    return e.type === type && invoice.billing_reason === "subscription_cycle" && (typeof s === "string" ? s : s?.id) === subscriptionId;
  });
}

async function nextPeriod(subscriptionId: string) {
  const sub = await h.stripe.subscriptions.retrieve(subscriptionId);
  h.sandbox.advanceClock(sub.items.data[0].current_period_end - h.sandbox.now() + 60);
  await h.idle();
}

describe("suspending a sub-account pauses its visitors' plan subscriptions", () => {
  it("suspended: the renewal is voided, not charged, and grants nothing; reactivated: the next renewal is charged and granted", async () => {
    const w = await subscribedSubAccount("Paused Plans");
    const suspended = await setSubAccountStatus(t.db, w.actor, { subAccountId: w.orgId, status: "suspended" }, { stripe: h.stripe });
    expect(suspended).toMatchObject({ status: "suspended", planSubscriptionsPending: 0 });
    expect((await h.stripe.subscriptions.retrieve(w.subscriptionId)).pause_collection).toMatchObject({ behavior: "void" });

    await nextPeriod(w.subscriptionId);
    expect(renewalsOf(w.subscriptionId, "invoice.voided")).toHaveLength(1);
    expect(renewalsOf(w.subscriptionId, "invoice.paid")).toEqual([]);
    expect(renewalsOf(w.subscriptionId, "invoice.payment_failed")).toEqual([]);
    expect(await batchCount(t.db, w.accountId)).toBe(1);
    expect((await t.db.select().from(orders).where(eq(orders.planId, w.plan.id))).map((o) => [o.kind, o.status])).toEqual([["plan", "paid"]]);

    const reactivated = await setSubAccountStatus(t.db, w.actor, { subAccountId: w.orgId, status: "active" }, { stripe: h.stripe });
    expect(reactivated).toMatchObject({ status: "active", planSubscriptionsPending: 0 });
    expect((await h.stripe.subscriptions.retrieve(w.subscriptionId)).pause_collection).toBeNull();
    await nextPeriod(w.subscriptionId);
    expect(renewalsOf(w.subscriptionId, "invoice.paid")).toHaveLength(1);
    expect(await batchCount(t.db, w.accountId)).toBe(2);

    const audit = await q<{ action: string }>(sql`select action from audit_log where organization_id = ${w.orgId} and subject_id = ${w.subscriptionId} order by id`);
    expect(audit.map((a) => a.action)).toEqual([COLLECTION_PAUSED, COLLECTION_RESUMED]);
  });

  it("Stripe unreachable at suspend: the suspend stands, the failure is reported, and the sweep pauses the plan before it renews", async () => {
    const w = await subscribedSubAccount("Stripe Down");
    const down = createStripeClient({ sandboxUrl: "http://127.0.0.1:9", maxNetworkRetries: 0, timeoutMs: 2000 });
    const suspended = await setSubAccountStatus(t.db, w.actor, { subAccountId: w.orgId, status: "suspended" }, { stripe: down });
    expect(suspended).toMatchObject({ status: "suspended", planSubscriptionsPending: 1 });
    const [org] = await q<{ status: string }>(sql`select status from organizations where id = ${w.orgId}`);
    expect(org.status).toBe("suspended");
    expect((await h.stripe.subscriptions.retrieve(w.subscriptionId)).pause_collection).toBeNull();

    const swept = await syncAllPlanCollections(t.db, { stripe: h.stripe });
    expect(swept.paused).toContain(w.subscriptionId);
    expect(swept.failed).toEqual([]);
    expect((await h.stripe.subscriptions.retrieve(w.subscriptionId)).pause_collection).toMatchObject({ behavior: "void" });
    // Nothing left to do: a second sweep calls Stripe for nobody.
    expect((await syncAllPlanCollections(t.db, { stripe: down })).failed).toEqual([]);

    await nextPeriod(w.subscriptionId);
    expect(renewalsOf(w.subscriptionId, "invoice.paid")).toEqual([]);
    expect(await batchCount(t.db, w.accountId)).toBe(1);
  });
});
