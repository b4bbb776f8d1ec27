import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { bots, creditPacks, endUserPlans } from "@/db/schema";
import { InvalidInputError, NotFoundError } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
import { MICRO } from "@/lib/ledger/credits";

/**
 * What can be bought: credit packs (one-time) and end-user plans (recurring). A pack names its seller
 * (`ownerOrganizationId`, null = the platform) and its audience, so the platform's packs for owners, an
 * organization's packs for a bot's end users and (issue 8) an agency's packs for its sub-accounts share one table.
 */
export type CreditPack = typeof creditPacks.$inferSelect;
export type EndUserPlan = typeof endUserPlans.$inferSelect;
export type PackAudience = CreditPack["audience"];
export type PlanInterval = EndUserPlan["interval"];

export const CURRENCIES = ["usd", "eur", "gbp", "chf", "cad", "aud"] as const;
export const PLAN_INTERVALS = ["day", "week", "month", "year"] as const;
const MAX_PRICE_MINOR = 99_999_999;

export interface PackTerms {
  name: string;
  description?: string | null;
  priceMinor: number;
  currency: string;
  /** µc */
  credits: bigint;
  /** µc; 0 = no bonus */
  bonusCredits?: bigint;
  bonusExpiresInDays?: number | null;
  sortOrder?: number;
}

function checkMoney(priceMinor: number, currency: string): string {
  if (!Number.isSafeInteger(priceMinor) || priceMinor <= 0 || priceMinor > MAX_PRICE_MINOR) {
    throw new InvalidInputError("price", "The price must be greater than zero");
  }
  const cur = currency.trim().toLowerCase();
  if (!(CURRENCIES as readonly string[]).includes(cur)) throw new InvalidInputError("currency", `Choose one of ${CURRENCIES.join(", ").toUpperCase()}`);
  return cur;
}

function checkPackTerms(terms: PackTerms) {
  const name = terms.name.trim();
  if (!name || name.length > 80) throw new InvalidInputError("name", "Give the pack a name of at most 80 characters");
  const currency = checkMoney(terms.priceMinor, terms.currency);
  if (terms.credits < MICRO) throw new InvalidInputError("credits", "A pack holds at least 1 credit");
  const bonusCredits = terms.bonusCredits ?? 0n;
  if (bonusCredits < 0n) throw new InvalidInputError("bonusCredits", "Bonus credits cannot be negative");
  let bonusExpiresInDays = terms.bonusExpiresInDays ?? null;
  if (bonusCredits > 0n) {
    if (!bonusExpiresInDays || !Number.isInteger(bonusExpiresInDays) || bonusExpiresInDays < 1 || bonusExpiresInDays > 3650) {
      throw new InvalidInputError("bonusExpiresInDays", "Bonus credits need an expiry of 1 to 3650 days");
    }
  } else bonusExpiresInDays = null;
  return {
    name,
    description: terms.description?.trim() || null,
    priceMinor: terms.priceMinor,
    currency,
    credits: terms.credits,
    bonusCredits,
    bonusExpiresInDays,
    sortOrder: terms.sortOrder ?? 0,
  };
}

async function requireOwnBot(db: DbOrTx, organizationId: string, botId: string) {
  if (!isUuid(botId)) throw new NotFoundError("Bot", { bot_id: botId });
  const [bot] = await db.select({ id: bots.id }).from(bots).where(and(eq(bots.id, botId), eq(bots.organizationId, organizationId))).limit(1);
  if (!bot) throw new NotFoundError("Bot", { bot_id: botId });
}

/** A pack sold by the platform to owners (platform admin). */
export async function createPlatformPack(db: DbOrTx, terms: PackTerms): Promise<CreditPack> {
  const [pack] = await db.insert(creditPacks).values({ ...checkPackTerms(terms), audience: "platform_to_owner" }).returning();
  return pack;
}

/** A pack an organization sells to the end users of one of its bots. */
export async function createEndUserPack(db: DbOrTx, input: PackTerms & { organizationId: string; botId: string }): Promise<CreditPack> {
  await requireOwnBot(db, input.organizationId, input.botId);
  const [pack] = await db
    .insert(creditPacks)
    .values({ ...checkPackTerms(input), audience: "org_to_end_user", ownerOrganizationId: input.organizationId, botId: input.botId })
    .returning();
  return pack;
}

/** A pack an agency sells to its sub-accounts (issue 8 builds the UI). */
export async function createAgencyPack(db: DbOrTx, input: PackTerms & { organizationId: string }): Promise<CreditPack> {
  const [pack] = await db
    .insert(creditPacks)
    .values({ ...checkPackTerms(input), audience: "agency_to_sub_account", ownerOrganizationId: input.organizationId })
    .returning();
  return pack;
}

/** Archive or restore a pack of this seller (null = platform). Archived packs cannot be bought; past orders keep them. */
export async function setPackStatus(db: DbOrTx, input: { sellerOrganizationId: string | null; packId: string; status: "active" | "archived" }): Promise<CreditPack> {
  if (!isUuid(input.packId)) throw new NotFoundError("Pack");
  const seller = input.sellerOrganizationId === null ? isNull(creditPacks.ownerOrganizationId) : eq(creditPacks.ownerOrganizationId, input.sellerOrganizationId);
  const [pack] = await db
    .update(creditPacks)
    .set({ status: input.status, updatedAt: sql`now()` })
    .where(and(eq(creditPacks.id, input.packId), seller))
    .returning();
  if (!pack) throw new NotFoundError("Pack");
  return pack;
}

export async function listPlatformPacks(db: DbOrTx, options: { includeArchived?: boolean } = {}): Promise<CreditPack[]> {
  return db
    .select()
    .from(creditPacks)
    .where(and(eq(creditPacks.audience, "platform_to_owner"), options.includeArchived ? undefined : eq(creditPacks.status, "active")))
    .orderBy(asc(creditPacks.sortOrder), asc(creditPacks.priceMinor));
}

export async function listBotPacks(db: DbOrTx, botId: string, options: { includeArchived?: boolean } = {}): Promise<CreditPack[]> {
  if (!isUuid(botId)) return [];
  return db
    .select()
    .from(creditPacks)
    .where(and(eq(creditPacks.audience, "org_to_end_user"), eq(creditPacks.botId, botId), options.includeArchived ? undefined : eq(creditPacks.status, "active")))
    .orderBy(asc(creditPacks.status), asc(creditPacks.sortOrder), asc(creditPacks.priceMinor));
}

export async function listAgencyPacks(db: DbOrTx, agencyId: string, options: { includeArchived?: boolean } = {}): Promise<CreditPack[]> {
  return db
    .select()
    .from(creditPacks)
    .where(
      and(
        eq(creditPacks.audience, "agency_to_sub_account"),
        eq(creditPacks.ownerOrganizationId, agencyId),
        options.includeArchived ? undefined : eq(creditPacks.status, "active"),
      ),
    )
    .orderBy(asc(creditPacks.sortOrder), asc(creditPacks.priceMinor));
}

export async function getPack(db: DbOrTx, packId: string): Promise<CreditPack> {
  if (!isUuid(packId)) throw new NotFoundError("Pack");
  const [pack] = await db.select().from(creditPacks).where(eq(creditPacks.id, packId)).limit(1);
  if (!pack) throw new NotFoundError("Pack");
  return pack;
}

// ---- End-user plans ----

export interface PlanTerms {
  name: string;
  description?: string | null;
  priceMinor: number;
  currency: string;
  interval: PlanInterval;
  /** µc per period */
  creditsPerPeriod: bigint;
  rollover: boolean;
  sortOrder?: number;
}

export async function createEndUserPlan(db: DbOrTx, input: PlanTerms & { organizationId: string; botId: string }): Promise<EndUserPlan> {
  await requireOwnBot(db, input.organizationId, input.botId);
  const name = input.name.trim();
  if (!name || name.length > 80) throw new InvalidInputError("name", "Give the plan a name of at most 80 characters");
  const currency = checkMoney(input.priceMinor, input.currency);
  if (!(PLAN_INTERVALS as readonly string[]).includes(input.interval)) throw new InvalidInputError("interval", "Choose day, week, month or year");
  if (input.creditsPerPeriod < MICRO) throw new InvalidInputError("creditsPerPeriod", "A plan grants at least 1 credit per period");
  const [plan] = await db
    .insert(endUserPlans)
    .values({
      organizationId: input.organizationId,
      botId: input.botId,
      name,
      description: input.description?.trim() || null,
      priceMinor: input.priceMinor,
      currency,
      interval: input.interval,
      creditsPerPeriod: input.creditsPerPeriod,
      rollover: input.rollover,
      sortOrder: input.sortOrder ?? 0,
    })
    .returning();
  return plan;
}

export async function setPlanStatus(db: DbOrTx, input: { organizationId: string; planId: string; status: "active" | "archived" }): Promise<EndUserPlan> {
  if (!isUuid(input.planId)) throw new NotFoundError("Plan");
  const [plan] = await db
    .update(endUserPlans)
    .set({ status: input.status, updatedAt: sql`now()` })
    .where(and(eq(endUserPlans.id, input.planId), eq(endUserPlans.organizationId, input.organizationId)))
    .returning();
  if (!plan) throw new NotFoundError("Plan");
  return plan;
}

export async function listBotPlans(db: DbOrTx, botId: string, options: { includeArchived?: boolean } = {}): Promise<EndUserPlan[]> {
  if (!isUuid(botId)) return [];
  return db
    .select()
    .from(endUserPlans)
    .where(and(eq(endUserPlans.botId, botId), options.includeArchived ? undefined : eq(endUserPlans.status, "active")))
    .orderBy(asc(endUserPlans.status), asc(endUserPlans.sortOrder), asc(endUserPlans.priceMinor));
}

export async function getPlan(db: DbOrTx, planId: string): Promise<EndUserPlan> {
  if (!isUuid(planId)) throw new NotFoundError("Plan");
  const [plan] = await db.select().from(endUserPlans).where(eq(endUserPlans.id, planId)).limit(1);
  if (!plan) throw new NotFoundError("Plan");
  return plan;
}

/**
 * "$0.01 per credit": the price of one credit in the currency, exact to 4 decimals of a minor unit, no float.
 * (priceMinor / credits), shown in major units.
 */
export function pricePerCredit(priceMinor: number, credits: bigint, currency: string): string {
  if (credits <= 0n) return "—";
  // minor units per credit ×10_000, rounded half-up
  const scaled = (BigInt(priceMinor) * MICRO * 10_000n * 2n + credits) / (credits * 2n);
  const major = Number(scaled) / 1_000_000; // ×10_000 per minor, ×100 minor per major
  const digits = major >= 0.1 ? 2 : major >= 0.01 ? 3 : major >= 0.001 ? 4 : 6;
  return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase(), minimumFractionDigits: 2, maximumFractionDigits: digits }).format(major);
}
