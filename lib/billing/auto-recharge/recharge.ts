import { and, desc, eq, gte, inArray, lte, or, sql } from "drizzle-orm";
import Stripe from "stripe";
import type { DbOrTx } from "@/db/client";
import { autoRechargeSettings, recharges } from "@/db/schema";
import { getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { Credits } from "@/lib/ledger/credits";
import { organizationAvailable } from "@/lib/ledger/get-balance";
import { grantBatch } from "@/lib/ledger/grant-batch";
import { notify, periodKey } from "@/lib/notifications/notify";
import { formatMoney } from "@/lib/format";
import { getOrCreateOrgCustomer } from "../customers";
import { getStripe } from "../stripe";
import { forgetAutoRechargeCache, getAutoRecharge, getPlatformSettings, rechargePriceCents, type AutoRechargeSettings } from "./settings";

export type Recharge = typeof recharges.$inferSelect;

/** Waits before the 2nd, 3rd, 4th attempt of a declined recharge (seed 004: resolve before zero). */
export const RETRY_BACKOFF_MS = [60 * 60_000, 6 * 60 * 60_000, 24 * 60 * 60_000];

export const IN_FLIGHT = ["pending", "retrying", "requires_action"] as const;

/**
 * Opens a recharge if auto-recharge is on, has a card, and none is in flight. The partial unique index
 * makes this exactly one under any number of concurrent callers: losers get null.
 */
export async function requestRecharge(db: DbOrTx, organizationId: string, options: { trigger: string; now?: Date }): Promise<Recharge | null> {
  const settings = await getAutoRecharge(db, organizationId);
  if (!settings?.enabled || !settings.paymentMethodId) return null;
  const platform = await getPlatformSettings(db);
  const [row] = await db
    .insert(recharges)
    .values({
      organizationId,
      amount: settings.topUpAmount,
      priceCents: rechargePriceCents(settings.topUpAmount, platform.creditPriceCents),
      currency: platform.currency,
      trigger: options.trigger,
      createdAt: options.now,
      updatedAt: options.now,
    })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

// The recharges this process is paying right now, per organization: a refused charge waits for
// that payment rather than polling the database (./wait.ts). Process-wide, like the caches.
const running: Map<string, Promise<Recharge>> = ((globalThis as { __creditdeskRunningRecharges?: Map<string, Promise<Recharge>> }).__creditdeskRunningRecharges ??= new Map());

export function runningRecharge(organizationId: string): Promise<Recharge> | undefined {
  return running.get(organizationId);
}

/** When available is below the threshold: open a recharge and charge it now. Returns what happened. */
export async function rechargeIfBelowThreshold(db: DbOrTx, organizationId: string, options: { trigger: string; now?: Date; stripe?: Stripe; available?: bigint }) {
  const settings = await getAutoRecharge(db, organizationId);
  if (!settings?.enabled) return null;
  const available = options.available ?? (await organizationAvailable(db, organizationId, options.now));
  if (available >= settings.rechargeAt) return null;
  // Past the month's ceiling, one skipped recharge says so and tells the owner; every later charge and
  // sweep of the month finds that one instead of writing another row each time.
  const skipped = await skippedForCeiling(db, settings, options.now ?? new Date());
  if (skipped) return skipped;
  const recharge = await requestRecharge(db, organizationId, options);
  if (!recharge) return null;
  // The available a charge reported may predate a recharge that has landed since (the in-flight guard
  // only stops concurrent ones). Now that this one is the only one in flight, look again before paying.
  if (options.available !== undefined && (await organizationAvailable(db, organizationId, options.now)) >= settings.rechargeAt) {
    // Never claimed (attempts 0), so no money moved: the row is withdrawn rather than kept as noise.
    await db.delete(recharges).where(and(eq(recharges.id, recharge.id), eq(recharges.status, "pending"), eq(recharges.attempts, 0)));
    return null;
  }
  const payment = processRecharge(db, recharge.id, options);
  running.set(organizationId, payment);
  try {
    return await payment;
  } finally {
    if (running.get(organizationId) === payment) running.delete(organizationId);
  }
}

// Organizations this process found blocked by their ceiling, per settings version and month: while
// blocked, every charge below the threshold asks, and the answer cannot change without either.
const ceilingBlocked: Map<string, Recharge> = ((globalThis as { __creditdeskCeilingBlocked?: Map<string, Recharge> }).__creditdeskCeilingBlocked ??= new Map());

/** This month's recharge skipped for the ceiling, if the ceiling still blocks one and the settings have not changed since. */
async function skippedForCeiling(db: DbOrTx, settings: AutoRechargeSettings, now: Date): Promise<Recharge | null> {
  if (settings.monthlyCeilingCents === null) return null;
  const memo = `${settings.organizationId}:${settings.updatedAt.getTime()}:${monthStart(now).getTime()}`;
  const known = ceilingBlocked.get(memo);
  if (known) return known;
  const platform = await getPlatformSettings(db);
  const price = rechargePriceCents(settings.topUpAmount, platform.creditPriceCents);
  if ((await spentThisMonth(db, settings.organizationId, now)) + price <= settings.monthlyCeilingCents) return null;
  const since = new Date(Math.max(monthStart(now).getTime(), settings.updatedAt.getTime()));
  const [row] = await db
    .select()
    .from(recharges)
    .where(and(eq(recharges.organizationId, settings.organizationId), eq(recharges.status, "skipped"), gte(recharges.resolvedAt, since)))
    .orderBy(desc(recharges.resolvedAt))
    .limit(1);
  if (!row) return null;
  if (ceilingBlocked.size > 10_000) ceilingBlocked.clear();
  ceilingBlocked.set(memo, row);
  return row;
}

const monthStart = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

async function spentThisMonth(db: DbOrTx, organizationId: string, now: Date): Promise<number> {
  const [row] = await db
    .select({ cents: sql<number>`coalesce(sum(${recharges.priceCents}), 0)::int` })
    .from(recharges)
    .where(and(eq(recharges.organizationId, organizationId), eq(recharges.status, "succeeded"), gte(recharges.resolvedAt, monthStart(now))));
  return row?.cents ?? 0;
}

async function update(db: DbOrTx, id: string, values: Partial<typeof recharges.$inferInsert>, now: Date) {
  const [row] = await db.update(recharges).set({ ...values, updatedAt: now }).where(eq(recharges.id, id)).returning();
  return row;
}

/**
 * Charges one recharge: one invoice (created once, Idempotency-Keys on every Stripe call), paid
 * off-session with the saved card. Paid → a `paid` batch (source auto_recharge) and the invoice mailed;
 * declined → retry with backoff, or auto-disable after N consecutive failures; 3-D Secure → the owner
 * gets the link to complete it; ceiling reached → no charge, owner told. Safe to call again.
 */
export async function processRecharge(db: DbOrTx, rechargeId: string, options: { stripe?: Stripe; now?: Date } = {}): Promise<Recharge> {
  const stripe = options.stripe ?? getStripe();
  const now = options.now ?? new Date();
  let [recharge] = await db.select().from(recharges).where(eq(recharges.id, rechargeId));
  if (!recharge || (recharge.status !== "pending" && recharge.status !== "retrying")) return recharge;
  const settings = await getAutoRecharge(db, recharge.organizationId);
  const platform = await getPlatformSettings(db);
  if (!settings?.enabled || !settings.paymentMethodId) {
    return update(db, recharge.id, { status: "failed", failureReason: "Auto-recharge was turned off", resolvedAt: now }, now);
  }
  if (settings.monthlyCeilingCents !== null && (await spentThisMonth(db, recharge.organizationId, now)) + recharge.priceCents > settings.monthlyCeilingCents) {
    const skipped = await update(db, recharge.id, { status: "skipped", failureReason: "Monthly spending ceiling reached", resolvedAt: now }, now);
    await notify(db, {
      organizationId: recharge.organizationId,
      kind: "spending_ceiling_reached",
      title: "Auto-recharge paused: monthly spending ceiling reached",
      body: `Another top-up of ${Credits.format(recharge.amount)} credits (${formatMoney(recharge.priceCents, recharge.currency)}) would pass your monthly ceiling of ${formatMoney(settings.monthlyCeilingCents, recharge.currency)}, so nothing was charged. Raise the ceiling or buy credits by hand.`,
      link: "/billing",
      dedupeKey: periodKey("month", now),
      email: true,
    });
    return skipped;
  }

  // Claim this attempt: of concurrent processors (a race, the sweep, a retry) exactly one moves
  // attempts from N to N+1; the others return. The claimed number keys the Stripe payment.
  const [claimed] = await db
    .update(recharges)
    .set({ attempts: recharge.attempts + 1, updatedAt: now })
    .where(and(eq(recharges.id, recharge.id), eq(recharges.attempts, recharge.attempts), inArray(recharges.status, ["pending", "retrying"])))
    .returning();
  if (!claimed) return (await db.select().from(recharges).where(eq(recharges.id, recharge.id)))[0];
  recharge = claimed;
  const attempt = recharge.attempts;

  if (!recharge.stripeInvoiceId) {
    const customer = await getOrCreateOrgCustomer(db, recharge.organizationId, stripe);
    const description = `Auto-recharge: ${Credits.format(recharge.amount)} AI credits`;
    await stripe.invoiceItems.create({ customer, amount: recharge.priceCents, currency: recharge.currency, description }, { idempotencyKey: `recharge-${recharge.id}-item` });
    const draft = await stripe.invoices.create(
      {
        customer,
        collection_method: "charge_automatically",
        auto_advance: false,
        pending_invoice_items_behavior: "include",
        default_payment_method: settings.paymentMethodId,
        description,
        metadata: { creditdesk_kind: "auto_recharge", recharge_id: recharge.id, organization_id: recharge.organizationId },
      },
      { idempotencyKey: `recharge-${recharge.id}-invoice` },
    );
    const invoice = await stripe.invoices.finalizeInvoice(draft.id!, {}, { idempotencyKey: `recharge-${recharge.id}-finalize` });
    recharge = await update(db, recharge.id, { stripeInvoiceId: invoice.id!, hostedInvoiceUrl: invoice.hosted_invoice_url ?? null, invoicePdfUrl: invoice.invoice_pdf ?? null }, now);
  }

  try {
    const paid = await stripe.invoices.pay(recharge.stripeInvoiceId!, { off_session: true, payment_method: settings.paymentMethodId }, { idempotencyKey: `recharge-${recharge.id}-pay-${attempt}` });
    return completeRecharge(db, recharge.id, { invoicePdfUrl: paid.invoice_pdf ?? null, hostedInvoiceUrl: paid.hosted_invoice_url ?? null }, now);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === "invoice_already_paid") {
      // An earlier attempt was paid but we did not hear back (crash, timeout): collect the credits now.
      const invoice = await stripe.invoices.retrieve(recharge.stripeInvoiceId!);
      return completeRecharge(db, recharge.id, { invoicePdfUrl: invoice.invoice_pdf ?? null, hostedInvoiceUrl: invoice.hosted_invoice_url ?? null }, now);
    }
    if (!(error instanceof Stripe.errors.StripeCardError)) throw error; // transient: stays pending, the sweep retries
    if (error.code === "invoice_payment_intent_requires_action" || error.code === "authentication_required") {
      const updated = await update(db, recharge.id, { status: "requires_action", actionUrl: recharge.hostedInvoiceUrl, failureReason: "Your bank asks you to confirm this payment" }, now);
      await notify(db, {
        organizationId: recharge.organizationId,
        kind: "recharge_requires_action",
        title: "Confirm your auto-recharge payment",
        body: `Your bank asks you to confirm the top-up of ${Credits.format(recharge.amount)} credits (${formatMoney(recharge.priceCents, recharge.currency)}). Open the link to complete it; the credits arrive as soon as it is paid.`,
        link: recharge.hostedInvoiceUrl,
        dedupeKey: `recharge:${recharge.id}`,
        email: true,
      });
      return updated;
    }
    return recordDecline(db, recharge, error.message, platform.maxConsecutiveFailures, now);
  }
}

async function recordDecline(db: DbOrTx, recharge: Recharge, reason: string, maxFailures: number, now: Date): Promise<Recharge> {
  const [settings] = await db
    .update(autoRechargeSettings)
    .set({ consecutiveFailures: sql`${autoRechargeSettings.consecutiveFailures} + 1`, updatedAt: now })
    .where(eq(autoRechargeSettings.organizationId, recharge.organizationId))
    .returning();
  forgetAutoRechargeCache(recharge.organizationId);
  const failures = settings.consecutiveFailures;
  const backoff = RETRY_BACKOFF_MS[Math.min(recharge.attempts, RETRY_BACKOFF_MS.length) - 1];
  const amount = `${Credits.format(recharge.amount)} credits (${formatMoney(recharge.priceCents, recharge.currency)})`;
  if (failures >= maxFailures || recharge.attempts > RETRY_BACKOFF_MS.length) {
    const disabledReason = `Switched off after ${failures} failed payments in a row (last: ${reason}). Update your card and turn it back on.`;
    await db.update(autoRechargeSettings).set({ enabled: false, disabledReason, updatedAt: now }).where(eq(autoRechargeSettings.organizationId, recharge.organizationId));
    forgetAutoRechargeCache(recharge.organizationId);
    const failed = await update(db, recharge.id, { status: "failed", failureReason: reason, nextAttemptAt: null, resolvedAt: now }, now);
    await notify(db, {
      organizationId: recharge.organizationId,
      kind: "recharge_disabled",
      title: "Auto-recharge switched off",
      body: `The top-up of ${amount} failed ${failures} times in a row (${reason}). Auto-recharge is now off so nothing more is attempted. Update your card on the Billing page and turn it back on.`,
      link: "/billing",
      dedupeKey: `recharge:${recharge.id}:disabled`,
      email: true,
    });
    return failed;
  }
  const next = new Date(now.getTime() + backoff);
  const retrying = await update(db, recharge.id, { status: "retrying", failureReason: reason, nextAttemptAt: next }, now);
  await notify(db, {
    organizationId: recharge.organizationId,
    kind: "recharge_failed",
    title: "Auto-recharge payment failed",
    body: `The top-up of ${amount} was declined (${reason}). We will try again at ${next.toISOString().slice(0, 16).replace("T", " ")} UTC. Update your card on the Billing page to avoid your bots stopping.`,
    link: "/billing",
    dedupeKey: `recharge:${recharge.id}:attempt:${recharge.attempts}`,
    email: true,
  });
  return retrying;
}

/**
 * Grants a paid recharge's credits exactly once (the invoice id is the grant's external ref), whether
 * called after our own pay() or from the invoice.paid webhook (e.g. after 3-D Secure).
 */
export async function completeRecharge(db: DbOrTx, rechargeId: string, links: { invoicePdfUrl: string | null; hostedInvoiceUrl: string | null }, now = new Date()): Promise<Recharge> {
  const [recharge] = await db.select().from(recharges).where(eq(recharges.id, rechargeId));
  if (recharge.status === "succeeded") return recharge;
  const account = await getOrCreateOrgAccount(db, recharge.organizationId);
  const { batch } = await grantBatch(db, {
    accountId: account.id,
    type: "paid",
    source: "auto_recharge",
    amount: recharge.amount,
    externalRef: recharge.stripeInvoiceId ?? recharge.id,
    metadata: { recharge_id: recharge.id, invoice: recharge.stripeInvoiceId },
  });
  const [done] = await db
    .update(recharges)
    .set({
      status: "succeeded",
      batchId: batch.id,
      invoicePdfUrl: links.invoicePdfUrl ?? recharge.invoicePdfUrl,
      hostedInvoiceUrl: links.hostedInvoiceUrl ?? recharge.hostedInvoiceUrl,
      failureReason: null,
      nextAttemptAt: null,
      resolvedAt: now,
      updatedAt: now,
    })
    .where(and(eq(recharges.id, rechargeId), inArray(recharges.status, [...IN_FLIGHT])))
    .returning();
  if (!done) return (await db.select().from(recharges).where(eq(recharges.id, rechargeId)))[0];
  await db.update(autoRechargeSettings).set({ consecutiveFailures: 0, updatedAt: now }).where(eq(autoRechargeSettings.organizationId, recharge.organizationId));
  forgetAutoRechargeCache(recharge.organizationId);
  const amount = `${Credits.format(recharge.amount)} credits`;
  const pdf = done.invoicePdfUrl;
  await notify(db, {
    organizationId: recharge.organizationId,
    kind: "recharge_succeeded",
    title: `Auto-recharge: ${amount} added`,
    body: `We charged ${formatMoney(recharge.priceCents, recharge.currency)} to your card and added ${amount}. The invoice is attached to this message.`,
    link: "/billing",
    dedupeKey: `recharge:${recharge.id}:succeeded`,
    email: { to: await invoiceRecipients(db, recharge.organizationId), links: [...(pdf ? [{ label: "Invoice (PDF)", url: pdf }] : []), ...(done.hostedInvoiceUrl ? [{ label: "Invoice online", url: done.hostedInvoiceUrl }] : [])] },
  });
  return done;
}

async function invoiceRecipients(db: DbOrTx, organizationId: string): Promise<string[]> {
  const rows = await db.execute<{ email: string }>(sql`
    select billing_email as email from organizations where id = ${organizationId} and billing_email is not null
    union select u.email from memberships m join users u on u.id = m.user_id where m.organization_id = ${organizationId} and m.role = 'admin'`);
  return [...new Set(rows.map((r) => r.email))];
}

/** invoice.paid for an auto-recharge invoice (e.g. the owner completed 3-D Secure on the hosted page). */
export async function completeRechargeForInvoice(db: DbOrTx, invoice: { id?: string | null; metadata?: Record<string, string> | null; invoice_pdf?: string | null; hosted_invoice_url?: string | null }): Promise<Recharge | null> {
  const rechargeId = invoice.metadata?.recharge_id;
  const [recharge] = await db
    .select()
    .from(recharges)
    .where(rechargeId ? eq(recharges.id, rechargeId) : eq(recharges.stripeInvoiceId, invoice.id ?? ""));
  if (!recharge) return null;
  return completeRecharge(db, recharge.id, { invoicePdfUrl: invoice.invoice_pdf ?? null, hostedInvoiceUrl: invoice.hosted_invoice_url ?? null });
}

/**
 * The minute job: retries that are due, recharges left pending by a crash, thresholds crossed without a
 * charge (expiry, transfers), and the hourly alert while an organization sits at zero after a failure.
 */
export async function runAutoRechargeSweep(db: DbOrTx, options: { stripe?: Stripe; now?: Date } = {}): Promise<{ processed: number; alerted: number }> {
  const now = options.now ?? new Date();
  let processed = 0;
  const due = await db
    .select({ id: recharges.id })
    .from(recharges)
    .where(
      or(
        and(eq(recharges.status, "retrying"), lte(recharges.nextAttemptAt, now)),
        and(eq(recharges.status, "pending"), lte(recharges.updatedAt, new Date(now.getTime() - 2 * 60_000))),
      ),
    );
  for (const { id } of due) {
    await processRecharge(db, id, { ...options, now }).catch((e) => console.error("[auto-recharge] retry failed", e));
    processed++;
  }
  const enabled = await db.select({ organizationId: autoRechargeSettings.organizationId }).from(autoRechargeSettings).where(eq(autoRechargeSettings.enabled, true));
  for (const { organizationId } of enabled) {
    const outcome = await rechargeIfBelowThreshold(db, organizationId, { ...options, now, trigger: "sweep" }).catch((e) => {
      console.error("[auto-recharge] sweep failed", e);
      return null;
    });
    // Not the month's skipped recharge found again (one opened by this sweep was created now).
    if (outcome && outcome.createdAt.getTime() >= now.getTime()) processed++;
  }
  return { processed, alerted: await alertWhileStalled(db, now) };
}

/**
 * SPEC §7: while an organization's credits are at zero and its recharge has failed (declined, waiting
 * for 3-D Secure, or switched off), alert every hour until credits arrive.
 */
export async function alertWhileStalled(db: DbOrTx, now = new Date()): Promise<number> {
  const stalled = await db.execute<{ organization_id: string; status: string; failure_reason: string | null; action_url: string | null }>(sql`
    select distinct on (organization_id) organization_id, status, failure_reason, action_url
      from recharges order by organization_id, created_at desc`);
  let alerted = 0;
  for (const row of stalled) {
    if (!["retrying", "requires_action", "failed"].includes(row.status)) continue;
    if ((await organizationAvailable(db, row.organization_id, now)) > 0n) continue;
    const created = await notify(db, {
      organizationId: row.organization_id,
      kind: "recharge_failed",
      title: "Out of credits and auto-recharge failed",
      body: `Your bots have stopped answering: credits are at zero and the automatic top-up did not go through (${row.failure_reason ?? "payment failed"}). ${row.status === "requires_action" ? "Confirm the payment with your bank." : "Update your card and retry."} We will remind you every hour until credits arrive.`,
      link: row.status === "requires_action" && row.action_url ? row.action_url : "/billing",
      dedupeKey: `stalled:${periodKey("hour", now)}`,
      email: true,
    });
    if (created) alerted++;
  }
  return alerted;
}
