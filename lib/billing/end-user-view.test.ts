import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { endUsers, orders } from "@/db/schema";
import { Credits } from "@/lib/ledger/credits";
import { debit } from "@/lib/ledger/debit";
import { grantBatch } from "@/lib/ledger/grant-batch";
import { createPackCheckout } from "./checkout";
import { signEndUserToken } from "./end-user-link";
import { getEndUserPurchaseView, getPublicBot } from "./end-user-view";
import { fulfilCheckoutSession } from "./fulfil";
import { seedPackWorld, startBillingHarness, type BillingHarness } from "./test-helpers";

const t = useTestDb();
let h: BillingHarness;
const urls = { successUrl: "http://app.test/success?session_id={CHECKOUT_SESSION_ID}", cancelUrl: "http://app.test/cancel" };
const SECRET = "end-user-view-test-secret";
const inAnHour = () => new Date(Date.now() + 3_600_000);

beforeAll(async () => {
  h = await startBillingHarness(() => t.db);
});
afterAll(async () => {
  await h?.stop();
});

/** A visitor who bought the 500 + 50 bonus pack for $15.00; `successPage` is what /b/[bot]/success?session_id=… shows. */
async function visitorWithPack(name: string) {
  const w = await seedPackWorld(t.db, name);
  const started = await createPackCheckout(t.db, { packId: w.pack.id, buyer: { kind: "end_user", botId: w.botId, endUserId: w.endUserId }, ...urls }, h.stripe);
  await h.control(`/_sandbox/pay/${started.sessionId}`, {});
  await h.idle();
  const [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
  const bot = (await getPublicBot(t.db, w.botId))!;
  const ownToken = signEndUserToken({ botId: w.botId, endUserId: w.endUserId, expiresAt: inAnHour() }, SECRET);
  const successPage = async (token?: string | null, botOfPage = bot) =>
    getEndUserPurchaseView(t.db, { bot: botOfPage, result: await fulfilCheckoutSession(t.db, started.sessionId, h.stripe), token, secret: SECRET });
  return { ...w, bot, order, ownToken, successPage };
}

describe("what the end user's success page says the purchase did", () => {
  it("a paid pack: credited, 500 + 50 bonus received, nothing taken back", async () => {
    const w = await visitorWithPack("View Paid");
    const view = (await w.successPage(w.ownToken))!;
    expect(view).toMatchObject({ outcome: "credited", paid: Credits.of(500), bonus: Credits.of(50), takenBack: 0n, kept: Credits.of(550) });
  });

  it("a refunded pack says refunded, with the credits taken back, and does not count them as received", async () => {
    const w = await visitorWithPack("View Refunded");
    // 50 bonus + 70 paid spent before the refund: those stay spent, the other 430 are taken back.
    await debit(t.db, { accountId: w.accountId, amount: Credits.of(120), botId: w.botId, endUserId: w.endUserId, actor: "paying_visitor", pool: "end_user" });
    await h.stripe.refunds.create({ payment_intent: w.order.stripePaymentIntentId! });
    await h.idle();
    const view = (await w.successPage(w.ownToken))!;
    expect(view.outcome).toBe("refunded");
    expect(view.takenBack).toBe(Credits.of(430));
    expect(view.kept).toBe(Credits.of(120));
    expect(view.yours?.available).toBe(0n);
  });

  it("a partly refunded pack says so: a fifth of it ($3.00 of $15.00) taken back, the rest kept", async () => {
    const w = await visitorWithPack("View Partial");
    await h.stripe.refunds.create({ payment_intent: w.order.stripePaymentIntentId!, amount: 300 });
    await h.idle();
    const view = (await w.successPage(w.ownToken))!;
    expect(view).toMatchObject({ outcome: "partially_refunded", takenBack: Credits.of(110), kept: Credits.of(440), yours: { available: Credits.of(440) } });
  });

  it("a disputed pack says disputed, with everything unspent taken back", async () => {
    const w = await visitorWithPack("View Disputed");
    expect((await h.control(`/_sandbox/dispute`, { payment_intent: w.order.stripePaymentIntentId })).status).toBe(200);
    await h.idle();
    const view = (await w.successPage(w.ownToken))!;
    expect(view).toMatchObject({ outcome: "disputed", takenBack: Credits.of(550), kept: 0n });
  });

  it("another bot's page does not show the purchase", async () => {
    const w = await visitorWithPack("View Bot A");
    const other = await seedPackWorld(t.db, "View Bot B");
    expect(await w.successPage(w.ownToken, (await getPublicBot(t.db, other.botId))!)).toBeNull();
  });
});

describe("who sees the end user's own credits on the success page", () => {
  it("only the holder of a signed link naming this order's end user in this bot; anyone else sees what the payment did, nothing more", async () => {
    const w = await visitorWithPack("View Token");
    // Credits from before the purchase: the whole balance is the end user's, not this payment's.
    await grantBatch(t.db, { accountId: w.accountId, type: "free", source: "promo", amount: Credits.of(25), expiresAt: new Date(Date.now() + 86_400_000) });
    const [neighbour] = await t.db.insert(endUsers).values({ botId: w.botId, externalId: "neighbour" }).returning();
    const other = await seedPackWorld(t.db, "View Token Other Bot");

    const valid = await w.successPage(w.ownToken);
    expect(valid?.yours).toEqual({ available: Credits.of(575), token: w.ownToken });

    const refused = {
      missing: undefined,
      "another end user of this bot": signEndUserToken({ botId: w.botId, endUserId: neighbour.id, expiresAt: inAnHour() }, SECRET),
      "this end user's id signed for another bot": signEndUserToken({ botId: other.botId, endUserId: w.endUserId, expiresAt: inAnHour() }, SECRET),
      expired: signEndUserToken({ botId: w.botId, endUserId: w.endUserId, expiresAt: new Date(Date.now() - 1000) }, SECRET),
      "signed with another secret": signEndUserToken({ botId: w.botId, endUserId: w.endUserId, expiresAt: inAnHour() }, "not-the-app-secret"),
    };
    for (const [why, token] of Object.entries(refused)) {
      const view = await w.successPage(token);
      expect({ why, yours: view?.yours }).toEqual({ why, yours: null });
      expect({ why, outcome: view?.outcome, kept: view?.kept }).toEqual({ why, outcome: "credited", kept: Credits.of(550) });
    }
  });
});
