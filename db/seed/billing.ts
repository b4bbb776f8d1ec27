import type { Db } from "@/db/client";
import { createEndUserPack, createEndUserPlan, createPlatformPack } from "@/lib/billing/offers";
import { Credits } from "@/lib/ledger/credits";

/**
 * Billing demo: the platform's packs for owners, and the Helpdesk bot's packs and plans for its end users.
 * Purchases themselves go through Stripe (the sandbox), so none are faked here.
 */
export async function seedBillingDemo(database: Db, input: { ownerOrgId: string; helpdeskBotId: string }) {
  const platform = [
    // 1 credit = 1 USD of AI usage (seed 004), the same price auto-recharge charges; bigger packs earn a bonus.
    await createPlatformPack(database, { name: "Starter", priceMinor: 10000, currency: "usd", credits: Credits.of(100), sortOrder: 1 }),
    await createPlatformPack(database, { name: "Growth", priceMinor: 47500, currency: "usd", credits: Credits.of(500), bonusCredits: Credits.of(50), bonusExpiresInDays: 30, sortOrder: 2 }),
    await createPlatformPack(database, { name: "Scale", priceMinor: 180000, currency: "usd", credits: Credits.of(2000), bonusCredits: Credits.of(300), bonusExpiresInDays: 60, sortOrder: 3 }),
  ];
  const bot = { organizationId: input.ownerOrgId, botId: input.helpdeskBotId };
  const endUserPacks = [
    await createEndUserPack(database, { ...bot, name: "100 credits", priceMinor: 500, currency: "usd", credits: Credits.of(100), sortOrder: 1 }),
    await createEndUserPack(database, { ...bot, name: "500 credits", priceMinor: 2000, currency: "usd", credits: Credits.of(500), bonusCredits: Credits.of(50), bonusExpiresInDays: 30, sortOrder: 2 }),
  ];
  const plans = [
    await createEndUserPlan(database, { ...bot, name: "Helpdesk Monthly", priceMinor: 900, currency: "usd", interval: "month", creditsPerPeriod: Credits.of(300), rollover: false, sortOrder: 1 }),
    await createEndUserPlan(database, { ...bot, name: "Helpdesk Plus", priceMinor: 1900, currency: "usd", interval: "month", creditsPerPeriod: Credits.of(800), rollover: true, sortOrder: 2 }),
  ];
  return { platformPackIds: platform.map((p) => p.id), endUserPackIds: endUserPacks.map((p) => p.id), planIds: plans.map((p) => p.id) };
}
