import { and, eq, gte, sql } from "drizzle-orm";
import { isTransaction, type DbOrTx } from "@/db/client";
import { autoRechargeSettings, organizations, platformSettings, usageDaily } from "@/db/schema";
import { InvalidInputError } from "@/lib/errors";
import { Credits } from "@/lib/ledger/credits";
import { sharedCache } from "@/lib/metering/ttl-cache";
import { SubAccountBuysFromAgencyError } from "./errors";

export type PlatformSettings = typeof platformSettings.$inferSelect;
export type AutoRechargeSettings = typeof autoRechargeSettings.$inferSelect;

const PLATFORM_DEFAULTS: PlatformSettings = {
  id: 1,
  minTopUpAmount: Credits.parse("250"),
  minRechargeAt: Credits.parse("100"),
  creditPriceCents: 100,
  currency: "usd",
  maxConsecutiveFailures: 3,
  updatedAt: new Date(0),
};

export async function getPlatformSettings(db: DbOrTx): Promise<PlatformSettings> {
  const [row] = await db.select().from(platformSettings).where(eq(platformSettings.id, 1));
  return row ?? PLATFORM_DEFAULTS;
}

export async function updatePlatformSettings(
  db: DbOrTx,
  input: { minTopUpAmount: bigint; minRechargeAt: bigint; creditPriceCents: number; maxConsecutiveFailures: number },
): Promise<PlatformSettings> {
  if (input.minTopUpAmount <= 0n) throw new InvalidInputError("min_top_up_amount", "The minimum top-up must be more than 0 credits");
  if (input.minRechargeAt < 0n) throw new InvalidInputError("min_recharge_at", "The minimum threshold cannot be negative");
  if (!Number.isInteger(input.creditPriceCents) || input.creditPriceCents < 1) throw new InvalidInputError("credit_price_cents", "The price per credit must be at least 1 cent");
  if (!Number.isInteger(input.maxConsecutiveFailures) || input.maxConsecutiveFailures < 1 || input.maxConsecutiveFailures > 10) {
    throw new InvalidInputError("max_consecutive_failures", "Allow 1 to 10 consecutive failures before auto-recharge switches itself off");
  }
  const [row] = await db
    .insert(platformSettings)
    .values({ id: 1, ...input })
    .onConflictDoUpdate({ target: platformSettings.id, set: { ...input, updatedAt: sql`now()` } })
    .returning();
  return row;
}

/** What a recharge of `amount` µc costs, in minor units (rounded up to the cent). */
export function rechargePriceCents(amount: bigint, creditPriceCents: number): number {
  return Number((amount * BigInt(creditPriceCents) + 999_999n) / 1_000_000n);
}

// Read on every charge by the auto-recharge listener: keep a few seconds, invalidated on save here.
const settingsCache = sharedCache<AutoRechargeSettings | null>("auto-recharge-settings", 5_000);

/**
 * The settings row. `cached` serves it from the cache above; a read that began before a save's
 * invalidation still answers its caller but never puts what it read into the cache (getOrLoad keeps a
 * load only if nothing was invalidated meanwhile), so a save is seen by the next cached read. Other
 * reads go to the database and leave the cache alone: one racing a save (or inside a transaction that
 * may roll back) must not refill it.
 */
export async function getAutoRecharge(db: DbOrTx, organizationId: string, options: { cached?: boolean } = {}): Promise<AutoRechargeSettings | null> {
  const load = async () => {
    const [row] = await db.select().from(autoRechargeSettings).where(eq(autoRechargeSettings.organizationId, organizationId));
    return row ?? null;
  };
  if (!options.cached || isTransaction(db)) return load();
  return settingsCache.getOrLoad(organizationId, load);
}

export function forgetAutoRechargeCache(organizationId: string): void {
  settingsCache.delete(organizationId);
}

export interface AutoRechargeInput {
  enabled: boolean;
  topUpAmount: bigint;
  rechargeAt: bigint;
  monthlyCeilingCents: number | null;
}

/** Checks the owner's values against the platform minimums; throws naming the field. */
export function validateAutoRecharge(input: AutoRechargeInput, platform: PlatformSettings): void {
  if (input.topUpAmount % 1_000_000n !== 0n) throw new InvalidInputError("top_up_amount", "Top-up amount must be a whole number of credits");
  if (input.topUpAmount < platform.minTopUpAmount) {
    throw new InvalidInputError("top_up_amount", `Top-up amount must be at least ${Credits.format(platform.minTopUpAmount)} credits`);
  }
  if (input.rechargeAt < platform.minRechargeAt) {
    throw new InvalidInputError("recharge_at", `Recharge threshold must be at least ${Credits.format(platform.minRechargeAt)} credits`);
  }
  // One top-up must lift the credits back above the threshold even from zero (seed 004: "when your
  // balance falls below {rechargeAt}, recharge {topUpAmount}"); otherwise the balance right after it is
  // still below, or back below at the next charge, and one drop sets off a chain of top-ups.
  // Checked here rather than in the form's schema: every caller (form, internal API) gets it, after the
  // minimums, so an owner typing a too-small top-up hears about the minimum first.
  if (input.rechargeAt >= input.topUpAmount) {
    throw new InvalidInputError("recharge_at", `Recharge threshold must be below the top-up amount (${Credits.format(input.topUpAmount)} credits), so that one top-up lifts your credits back above it`);
  }
  if (input.monthlyCeilingCents !== null) {
    const price = rechargePriceCents(input.topUpAmount, platform.creditPriceCents);
    if (!Number.isInteger(input.monthlyCeilingCents) || input.monthlyCeilingCents < price) {
      throw new InvalidInputError("monthly_ceiling", "The monthly ceiling must allow at least one top-up");
    }
  }
}

/** Whether the organization is an agency's sub-account (SPEC §8: it buys credits from its agency, not the platform). */
export async function isSubAccount(db: DbOrTx, organizationId: string): Promise<boolean> {
  const [org] = await db.select({ parentId: organizations.parentId }).from(organizations).where(eq(organizations.id, organizationId)).limit(1);
  return Boolean(org?.parentId);
}

export async function assertBuysFromPlatform(db: DbOrTx, organizationId: string): Promise<void> {
  if (await isSubAccount(db, organizationId)) throw new SubAccountBuysFromAgencyError(organizationId);
}

/**
 * Saves the settings. Re-enabling clears a previous auto-disable and the failure count; saving it off
 * clears the auto-disable too: either way the owner has acted on it, so the hourly "recharge failed"
 * alert stops (alertWhileStalled). Acting on them (closing a recharge they make stale, charging at once)
 * is the caller's next step: `saveSettingsAndRecharge`.
 */
export async function saveAutoRecharge(db: DbOrTx, organizationId: string, input: AutoRechargeInput, userId: string | null): Promise<AutoRechargeSettings> {
  await assertBuysFromPlatform(db, organizationId);
  validateAutoRecharge(input, await getPlatformSettings(db));
  const current = await getAutoRecharge(db, organizationId);
  if (input.enabled && !current?.paymentMethodId) throw new InvalidInputError("payment_method", "Add a card before turning auto-recharge on");
  const values = {
    enabled: input.enabled,
    topUpAmount: input.topUpAmount,
    rechargeAt: input.rechargeAt,
    monthlyCeilingCents: input.monthlyCeilingCents,
    updatedByUserId: userId,
    ...(input.enabled && !current?.enabled ? { consecutiveFailures: 0, disabledReason: null } : {}),
    ...(!input.enabled ? { disabledReason: null } : {}),
  };
  const [row] = await db
    .insert(autoRechargeSettings)
    .values({ organizationId, ...values })
    .onConflictDoUpdate({ target: autoRechargeSettings.organizationId, set: { ...values, updatedAt: sql`now()` } })
    .returning();
  forgetAutoRechargeCache(organizationId);
  return row;
}

/** Stores the saved card (from Checkout in setup mode); creates the settings row with the minimums if new. */
export async function saveCard(
  db: DbOrTx,
  organizationId: string,
  card: { paymentMethodId: string; brand: string | null; last4: string | null; expMonth: number | null; expYear: number | null },
): Promise<void> {
  const platform = await getPlatformSettings(db);
  const cardValues = { paymentMethodId: card.paymentMethodId, cardBrand: card.brand, cardLast4: card.last4, cardExpMonth: card.expMonth, cardExpYear: card.expYear };
  await db
    .insert(autoRechargeSettings)
    .values({ organizationId, enabled: false, topUpAmount: platform.minTopUpAmount, rechargeAt: platform.minRechargeAt, ...cardValues })
    .onConflictDoUpdate({ target: autoRechargeSettings.organizationId, set: { ...cardValues, updatedAt: sql`now()` } });
  forgetAutoRechargeCache(organizationId);
}

/**
 * The recommended threshold: enough for 3 days at the last 7 days' burn rate (never below the platform
 * minimum), rounded up to whole credits, so a failed card leaves time to act (seed 004).
 */
export async function recommendRechargeAt(db: DbOrTx, organizationId: string, now = new Date()): Promise<{ recommended: bigint; dailyBurn: bigint }> {
  const since = new Date(now.getTime() - 7 * 86_400_000).toISOString().slice(0, 10);
  const [row] = await db
    .select({ charged: sql<string>`coalesce(sum(${usageDaily.charged}), 0)::text` })
    .from(usageDaily)
    .where(and(eq(usageDaily.organizationId, organizationId), gte(usageDaily.day, since)));
  const dailyBurn = BigInt(row?.charged ?? "0") / 7n;
  const platform = await getPlatformSettings(db);
  const threeDays = ((dailyBurn * 3n + 999_999n) / 1_000_000n) * 1_000_000n;
  return { recommended: threeDays > platform.minRechargeAt ? threeDays : platform.minRechargeAt, dailyBurn };
}
