import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import type { Db } from "@/db/client";
import { bots, endUsers, orders } from "@/db/schema";
import { createSubAccount, setSubAccountStatus } from "@/lib/agency";
import { createAgencyPackFor } from "@/lib/agency/pricing";
import { Credits } from "@/lib/ledger/credits";
import { createPackCheckout, createPlanCheckout } from "./checkout";
import { getPublicBot } from "./end-user-view";
import { createEndUserPack, createEndUserPlan } from "./offers";
import { startBillingHarness, type BillingHarness } from "./test-helpers";

const t = useTestDb();
let h: BillingHarness;
const urls = { successUrl: "http://app.test/success?session_id={CHECKOUT_SESSION_ID}", cancelUrl: "http://app.test/cancel" };

beforeAll(async () => {
  h = await startBillingHarness(() => t.db, { webhooks: false });
});
afterAll(async () => {
  await h?.stop();
});

let n = 0;
/** An agency with one sub-account whose bot sells a pack and a plan to one visitor; the agency sells a pack to the sub-account. */
async function subAccountBotWorld(db: Db) {
  n++;
  const [agency] = (await db.execute(sql`insert into organizations (name, kind) values (${`Checkout Agency ${n}`}, 'agency') returning id`)) as unknown as { id: string }[];
  const [admin] = (await db.execute(sql`insert into users (email, name, password_hash) values (${`ca${n}@a.test`}, 'A', 'x') returning id`)) as unknown as { id: string }[];
  await db.execute(sql`insert into memberships (user_id, organization_id, role) values (${admin.id}, ${agency.id}, 'admin')`);
  const actor = { userId: admin.id, orgId: agency.id };
  const sub = await createSubAccount(db, actor, { name: `Checkout Client ${n}` });
  const [bot] = await db.insert(bots).values({ organizationId: sub.id, name: `Client Bot ${n}`, type: "language_model" }).returning();
  const [visitor] = await db.insert(endUsers).values({ botId: bot.id, externalId: `visitor-${n}` }).returning();
  const visitorPack = await createEndUserPack(db, { organizationId: sub.id, botId: bot.id, name: "100 credits", priceMinor: 500, currency: "usd", credits: Credits.of(100) });
  const visitorPlan = await createEndUserPlan(db, {
    organizationId: sub.id,
    botId: bot.id,
    name: "Monthly",
    priceMinor: 900,
    currency: "usd",
    interval: "month",
    creditsPerPeriod: Credits.of(300),
    rollover: false,
  });
  const agencyPack = await createAgencyPackFor(db, actor, { name: "Client 50", priceMinor: 1000, currency: "usd", credits: Credits.of(50) });
  return { actor, subId: sub.id, botId: bot.id, endUserId: visitor.id, visitorPack, visitorPlan, agencyPack };
}

async function ordersOfBot(db: Db, botId: string) {
  return db.select().from(orders).where(eq(orders.botId, botId));
}

describe("end-user checkout of a suspended sub-account's bot", () => {
  it("is refused (seller_suspended) for packs and plans, opens no Checkout and records no order; the store page says buying is unavailable", async () => {
    const w = await subAccountBotWorld(t.db);
    await setSubAccountStatus(t.db, w.actor, { subAccountId: w.subId, status: "suspended" });

    const buyer = { kind: "end_user" as const, botId: w.botId, endUserId: w.endUserId };
    await expect(createPackCheckout(t.db, { packId: w.visitorPack.id, buyer, ...urls }, h.stripe)).rejects.toMatchObject({ code: "seller_suspended", status: 409 });
    await expect(createPlanCheckout(t.db, { planId: w.visitorPlan.id, botId: w.botId, endUserId: w.endUserId, ...urls }, h.stripe)).rejects.toMatchObject({
      code: "seller_suspended",
      status: 409,
    });
    expect(await ordersOfBot(t.db, w.botId)).toEqual([]);

    // What the public page learns: the bot, and that it does not sell now (never why).
    const shown = await getPublicBot(t.db, w.botId);
    expect(shown).toMatchObject({ id: w.botId, buyingAvailable: false });
    expect(JSON.stringify(shown)).not.toMatch(/suspend/i);
  });

  it("sells again once the agency reactivates the sub-account", async () => {
    const w = await subAccountBotWorld(t.db);
    await setSubAccountStatus(t.db, w.actor, { subAccountId: w.subId, status: "suspended" });
    await setSubAccountStatus(t.db, w.actor, { subAccountId: w.subId, status: "active" });

    expect(await getPublicBot(t.db, w.botId)).toMatchObject({ buyingAvailable: true });
    const started = await createPackCheckout(t.db, { packId: w.visitorPack.id, buyer: { kind: "end_user", botId: w.botId, endUserId: w.endUserId }, ...urls }, h.stripe);
    expect(started.url).toMatch(/^http/);
    const plan = await createPlanCheckout(t.db, { planId: w.visitorPlan.id, botId: w.botId, endUserId: w.endUserId, ...urls }, h.stripe);
    expect(plan.url).toMatch(/^http/);
    expect((await ordersOfBot(t.db, w.botId)).map((o) => o.kind).sort()).toEqual(["pack", "plan"]);
  });

  it("a suspended sub-account may still buy its agency's packs (the credits wait in its pool until reactivation)", async () => {
    const w = await subAccountBotWorld(t.db);
    await setSubAccountStatus(t.db, w.actor, { subAccountId: w.subId, status: "suspended" });
    const started = await createPackCheckout(t.db, { packId: w.agencyPack.id, buyer: { kind: "organization", organizationId: w.subId }, ...urls }, h.stripe);
    const [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
    expect(order).toMatchObject({ organizationId: w.subId, status: "pending", description: "Client 50" });
  });
});
