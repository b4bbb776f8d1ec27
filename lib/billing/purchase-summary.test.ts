import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { orders } from "@/db/schema";
import { Credits } from "@/lib/ledger/credits";
import { createPackCheckout } from "./checkout";
import { fulfilCheckoutSession } from "./fulfil";
import { createPlatformPack } from "./offers";
import { summarizePurchase } from "./purchase-summary";
import { seedBillingWorld, startBillingHarness, type BillingHarness } from "./test-helpers";

const t = useTestDb();
let h: BillingHarness;
const urls = { successUrl: "http://app.test/billing/success?session_id={CHECKOUT_SESSION_ID}", cancelUrl: "http://app.test/billing" };

beforeAll(async () => {
  h = await startBillingHarness(() => t.db);
});
afterAll(async () => {
  await h?.stop();
});

describe("what the owner's success page (/billing/success) says a platform pack did", () => {
  it("credited with the paid/bonus split, then, reopened after a full refund, refunded with what was taken back", async () => {
    const w = await seedBillingWorld(t.db, "Summary Owner");
    const pack = await createPlatformPack(t.db, { name: "Growth", priceMinor: 4500, currency: "usd", credits: Credits.of(5000), bonusCredits: Credits.of(500), bonusExpiresInDays: 30 });
    const started = await createPackCheckout(t.db, { packId: pack.id, buyer: { kind: "organization", organizationId: w.orgId }, ...urls }, h.stripe);
    await h.control(`/_sandbox/pay/${started.sessionId}`, {});
    await h.idle();
    const page = async () => {
      const result = await fulfilCheckoutSession(t.db, started.sessionId, h.stripe);
      return summarizePurchase(t.db, { ...result, order: result.order! });
    };
    expect(await page()).toEqual({ outcome: "credited", paid: Credits.of(5000), bonus: Credits.of(500), takenBack: 0n, kept: Credits.of(5500) });

    const [order] = await t.db.select().from(orders).where(eq(orders.id, started.orderId));
    await h.stripe.refunds.create({ payment_intent: order.stripePaymentIntentId! });
    await h.idle();
    expect(await page()).toEqual({ outcome: "refunded", paid: Credits.of(5000), bonus: Credits.of(500), takenBack: Credits.of(5500), kept: 0n });
  });
});
