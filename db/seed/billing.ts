import type { Db } from "@/db/client";
import { createEndUserPack, createEndUserPlan, createPlatformPack } from "@/lib/billing/offers";
import { Credits } from "@/lib/ledger/credits";

/**
 * Billing demo: the platform's packs for owners, and the Helpdesk bot's packs and plans for its end users.
 * Purchases themselves go through Stripe (the sandbox), so none are faked here.
 */
export async function seedBillingDemo(database: Db, input: { ownerOrgId: string; helpdeskBotId: string }) {
  const platform = [
    await createPlatformPack(database, { name: "Starter", priceMinor: 1000, currency: "usd", credits: Credits.of(1000), sortOrder: 1 }),
    await createPlatformPack(database, { name: "Growth", priceMinor: 4500, currency: "usd", credits: Credits.of(5000), bonusCredits: Credits.of(500), bonusExpiresInDays: 30, sortOrder: 2 }),
    await createPlatformPack(database, { name: "Scale", priceMinor: 16000, currency: "usd", credits: Credits.of(20000), bonusCredits: Credits.of(3000), bonusExpiresInDays: 60, sortOrder: 3 }),
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
