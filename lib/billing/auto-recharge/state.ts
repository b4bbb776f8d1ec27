import { desc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { recharges } from "@/db/schema";
import { Credits } from "@/lib/ledger/credits";
import { getAutoRecharge, getPlatformSettings, recommendRechargeAt, rechargePriceCents } from "./settings";

/** Everything the Billing page, My Credit and the settings API show about auto-recharge, in wire format. */
export interface AutoRechargeState {
  enabled: boolean;
  top_up_amount: string;
  recharge_at: string;
  monthly_ceiling_cents: number | null;
  price_cents: number;
  currency: string;
  card: { brand: string | null; last4: string | null; exp_month: number | null; exp_year: number | null } | null;
  disabled_reason: string | null;
  consecutive_failures: number;
  minimums: { top_up_amount: string; recharge_at: string };
  recommended_recharge_at: string;
  daily_burn: string;
  last_recharge: {
    id: string;
    status: string;
    amount: string;
    created_at: string;
    resolved_at: string | null;
    failure_reason: string | null;
    action_url: string | null;
    next_attempt_at: string | null;
    invoice_pdf_url: string | null;
  } | null;
  last_success_at: string | null;
}

export async function getAutoRechargeState(db: DbOrTx, organizationId: string, now = new Date()): Promise<AutoRechargeState> {
  const [settings, platform, recommendation, recent] = await Promise.all([
    getAutoRecharge(db, organizationId),
    getPlatformSettings(db),
    recommendRechargeAt(db, organizationId, now),
    db.select().from(recharges).where(eq(recharges.organizationId, organizationId)).orderBy(desc(recharges.createdAt)).limit(20),
  ]);
  const topUp = settings?.topUpAmount ?? platform.minTopUpAmount;
  const last = recent[0];
  const lastSuccess = recent.find((r) => r.status === "succeeded");
  return {
    enabled: settings?.enabled ?? false,
    top_up_amount: Credits.format(topUp),
    recharge_at: Credits.format(settings?.rechargeAt ?? recommendation.recommended),
    monthly_ceiling_cents: settings?.monthlyCeilingCents ?? null,
    price_cents: rechargePriceCents(topUp, platform.creditPriceCents),
    currency: platform.currency,
    card: settings?.paymentMethodId ? { brand: settings.cardBrand, last4: settings.cardLast4, exp_month: settings.cardExpMonth, exp_year: settings.cardExpYear } : null,
    disabled_reason: settings?.disabledReason ?? null,
    consecutive_failures: settings?.consecutiveFailures ?? 0,
    minimums: { top_up_amount: Credits.format(platform.minTopUpAmount), recharge_at: Credits.format(platform.minRechargeAt) },
    recommended_recharge_at: Credits.format(recommendation.recommended),
    daily_burn: Credits.format(recommendation.dailyBurn),
    last_recharge: last
      ? {
          id: last.id,
          status: last.status,
          amount: Credits.format(last.amount),
          created_at: last.createdAt.toISOString(),
          resolved_at: last.resolvedAt?.toISOString() ?? null,
          failure_reason: last.failureReason,
          action_url: last.actionUrl,
          next_attempt_at: last.nextAttemptAt?.toISOString() ?? null,
          invoice_pdf_url: last.invoicePdfUrl,
        }
      : null,
    last_success_at: lastSuccess?.resolvedAt?.toISOString() ?? null,
  };
}

/** The short version for My Credit: on/off/attention, the rule in one line, the last recharge. */
export interface AutoRechargeSummary {
  state: "not_set_up" | "on" | "off" | "disabled" | "attention";
  topUpAmount: string | null;
  rechargeAt: string | null;
  card: string | null;
  disabledReason: string | null;
  lastRecharge: { status: string; amount: string; at: string; actionUrl: string | null } | null;
}

export async function getAutoRechargeSummary(db: DbOrTx, organizationId: string): Promise<AutoRechargeSummary> {
  const [settings, [last]] = await Promise.all([
    getAutoRecharge(db, organizationId, { cached: true }),
    db.select().from(recharges).where(eq(recharges.organizationId, organizationId)).orderBy(desc(recharges.createdAt)).limit(1),
  ]);
  if (!settings) return { state: "not_set_up", topUpAmount: null, rechargeAt: null, card: null, disabledReason: null, lastRecharge: null };
  const inTrouble = last && (last.status === "retrying" || last.status === "requires_action");
  return {
    state: settings.disabledReason ? "disabled" : !settings.enabled ? "off" : inTrouble ? "attention" : "on",
    topUpAmount: Credits.format(settings.topUpAmount),
    rechargeAt: Credits.format(settings.rechargeAt),
    card: settings.cardLast4 ? `${(settings.cardBrand ?? "card").toUpperCase()} •••• ${settings.cardLast4}` : null,
    disabledReason: settings.disabledReason,
    lastRecharge: last ? { status: last.status, amount: Credits.format(last.amount), at: (last.resolvedAt ?? last.createdAt).toISOString(), actionUrl: last.actionUrl } : null,
  };
}
