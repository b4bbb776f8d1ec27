import { and, desc, eq, gte, inArray, lte, or, sql } from "drizzle-orm";
import Stripe from "stripe";
import type { DbOrTx } from "@/db/client";
import { autoRechargeSettings, recharges } from "@/db/schema";
import { getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { Credits } from "@/lib/ledger/credits";
import { organizationAvailable } from "@/lib/ledger/get-balance";
import { grantBatch } from "@/lib/ledger/grant-batch";
import { settledOrganizationAvailable } from "@/lib/notifications/balance-alerts";
import { notify, periodKey } from "@/lib/notifications/notify";
import { formatMoney } from "@/lib/format";
import { getOrCreateOrgCustomer } from "../customers";
import { getStripe } from "../stripe";
import { forgetAutoRechargeCache, getAutoRecharge, getPlatformSettings, isSubAccount, rechargePriceCents, saveAutoRecharge, type AutoRechargeInput, type AutoRechargeSettings } from "./settings";

export type Recharge = typeof recharges.$inferSelect;

/**
 * Waits after the 1st, 2nd, 3rd and later consecutive declines (seed 004: resolve before zero); past the end,
 * the last step repeats until the platform's limit of consecutive failures switches auto-recharge off.
 */
export const RETRY_BACKOFF_MS = [60 * 60_000, 6 * 60 * 60_000, 24 * 60 * 60_000];

/** Stripe unreachable or failing (5xx, rate limit) for this long since a payment was due counts as a failure. */
export const TRANSIENT_ERRORS_GIVE_UP_MS = 30 * 60_000;

/** An owner who has not confirmed 3-D Secure after this long is not going to: the payment counts as failed. */
export const REQUIRES_ACTION_GIVE_UP_MS = 24 * 60 * 60_000;

export const IN_FLIGHT = ["pending", "retrying", "requires_action"] as const;

/**
 * Opens a recharge if auto-recharge is on, has a card, and none is in flight. The partial unique index
 * makes this exactly one under any number of concurrent callers: losers get null.
 */
export async function requestRecharge(db: DbOrTx, organizationId: string, options: { trigger: string; now?: Date }): Promise<Recharge | null> {
  const settings = await getAutoRecharge(db, organizationId);
  if (!settings?.enabled || !settings.paymentMethodId) return null;
  // Settings saved before the organization joined an agency: its credits now come from the agency.
  if (await isSubAccount(db, organizationId)) return null;
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

/**
 * The owner saved the settings (Billing page or API): store them, then act on them at once (see
 * `resumeAutoRecharge`) — turning it on while already below the threshold charges now (SPEC §7).
 */
export async function saveSettingsAndRecharge(
  db: DbOrTx,
  organizationId: string,
  input: AutoRechargeInput,
  userId: string | null,
  options: { stripe?: Stripe; now?: Date } = {},
): Promise<{ settings: AutoRechargeSettings; recharge: Recharge | null }> {
  const settings = await saveAutoRecharge(db, organizationId, input, userId);
  const recharge = await resumeAutoRecharge(db, organizationId, { ...options, trigger: "enabled" });
  return { settings, recharge };
}

/**
 * After the owner saved the settings or a card. The recharge in flight, if any, was opened under the old
 * ones: turned off or a new amount → it is closed (its invoice voided) so a crossing charges the new amount;
 * waiting for 3-D Secure → it is replaced (the owner acted instead of confirming); declined and waiting for
 * its retry → retried now, since the owner may just have fixed the card. Then, below the threshold, one is
 * charged at once. A recharge still `pending` is being paid right now (or the sweep picks it up): left alone.
 */
export async function resumeAutoRecharge(db: DbOrTx, organizationId: string, options: { trigger: string; stripe?: Stripe; now?: Date }): Promise<Recharge | null> {
  const now = options.now ?? new Date();
  const settings = await getAutoRecharge(db, organizationId);
  const [inFlight] = await db
    .select()
    .from(recharges)
    .where(and(eq(recharges.organizationId, organizationId), inArray(recharges.status, ["retrying", "requires_action"])))
    .limit(1);
  if (inFlight) {
    if (!settings?.enabled || !settings.paymentMethodId) {
      await closeRecharge(db, inFlight, "Auto-recharge was turned off", { ...options, now });
    } else if (inFlight.amount !== settings.topUpAmount) {
      await closeRecharge(db, inFlight, `Replaced: the top-up amount was changed to ${Credits.format(settings.topUpAmount)} credits`, { ...options, now });
    } else if (inFlight.status === "requires_action") {
      await closeRecharge(db, inFlight, "Replaced: the card or settings were saved again before the payment was confirmed", { ...options, now });
    } else {
      await db.update(recharges).set({ nextAttemptAt: now, updatedAt: now }).where(and(eq(recharges.id, inFlight.id), eq(recharges.status, "retrying")));
      return payTracked(db, organizationId, inFlight.id, { ...options, now });
    }
  }
  if (!settings?.enabled) return null;
  return rechargeIfBelowThreshold(db, organizationId, { ...options, now });
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
  // Whatever was read above (a charge's report, or a fresh read here) may predate a recharge that landed
  // since — another instance's, which the in-flight guard only stops while it is in flight. Now that this
  // one is the only one in flight, look again before paying: once the charge that reported the crossing
  // has committed (inside an Idempotency-Key request's transaction it has not yet, and a plain read would
  // see the balance from before it and withdraw this recharge).
  if ((await settledOrganizationAvailable(db, organizationId, options.now)) >= settings.rechargeAt) {
    // Never claimed (attempts 0), so no money moved: the row is withdrawn rather than kept as noise.
    await db.delete(recharges).where(and(eq(recharges.id, recharge.id), eq(recharges.status, "pending"), eq(recharges.attempts, 0)));
    return null;
  }
  return payTracked(db, organizationId, recharge.id, options);
}

/** processRecharge, registered as this process's running payment so a refused charge can wait for it. */
async function payTracked(db: DbOrTx, organizationId: string, rechargeId: string, options: { stripe?: Stripe; now?: Date }): Promise<Recharge> {
  const payment = processRecharge(db, rechargeId, options);
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
  // The price of a credit is part of the answer: a lower one can make the top-up fit.
  const platform = await getPlatformSettings(db);
  const memo = `${settings.organizationId}:${settings.updatedAt.getTime()}:${platform.creditPriceCents}:${monthStart(now).getTime()}`;
  const known = ceilingBlocked.get(memo);
  if (known) return known;
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

/**
 * What auto-recharge charged this month. A recharge refunded or disputed in full gave the money back; one
 * partly refunded still counts in full (the ceiling errs on the owner's side).
 */
async function spentThisMonth(db: DbOrTx, organizationId: string, now: Date): Promise<number> {
  const [row] = await db
    .select({ cents: sql<number>`coalesce(sum(${recharges.priceCents}), 0)::int` })
    .from(recharges)
    .where(and(eq(recharges.organizationId, organizationId), inArray(recharges.status, ["succeeded", "partially_refunded"]), gte(recharges.resolvedAt, monthStart(now))));
  return row?.cents ?? 0;
}

async function update(db: DbOrTx, id: string, values: Partial<typeof recharges.$inferInsert>, now: Date) {
  const [row] = await db.update(recharges).set({ ...values, updatedAt: now }).where(eq(recharges.id, id)).returning();
  return row;
}

/** Updates a recharge that is still in flight; one closed meanwhile (e.g. by the owner) is returned as it is. */
async function updateInFlight(db: DbOrTx, id: string, values: Partial<typeof recharges.$inferInsert>, now: Date) {
  const [row] = await db
    .update(recharges)
    .set({ ...values, updatedAt: now })
    .where(and(eq(recharges.id, id), inArray(recharges.status, [...IN_FLIGHT])))
    .returning();
  return row ?? (await db.select().from(recharges).where(eq(recharges.id, id)))[0];
}

/**
 * Closes an unpaid recharge (status `failed`, with why) and voids its invoice, so it can never be paid
 * later and the in-flight slot is free. Only if nobody moved it since it was read (a new attempt claimed,
 * a status change): returns null then. If the invoice turns out paid after all, the credits are granted.
 */
async function closeRecharge(db: DbOrTx, recharge: Recharge, reason: string, options: { stripe?: Stripe; now: Date }): Promise<Recharge | null> {
  const { now } = options;
  const [closed] = await db
    .update(recharges)
    .set({ status: "failed", failureReason: reason, nextAttemptAt: null, resolvedAt: now, updatedAt: now })
    .where(and(eq(recharges.id, recharge.id), eq(recharges.status, recharge.status), eq(recharges.attempts, recharge.attempts)))
    .returning();
  if (!closed) return null;
  if (!closed.stripeInvoiceId) return closed;
  const stripe = options.stripe ?? getStripe();
  try {
    await stripe.invoices.voidInvoice(closed.stripeInvoiceId, {}, { idempotencyKey: `recharge-${closed.id}-void` });
    return closed;
  } catch (error) {
    const invoice = await stripe.invoices.retrieve(closed.stripeInvoiceId);
    // The owner confirmed 3-D Secure just before: the money is in, so are the credits.
    if (invoice.status === "paid") return completeRecharge(db, closed.id, { invoicePdfUrl: invoice.invoice_pdf ?? null, hostedInvoiceUrl: invoice.hosted_invoice_url ?? null }, now);
    if (invoice.status !== "void") console.error("[auto-recharge] could not void the invoice of a closed recharge", closed.id, error);
    return closed;
  }
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
  if (!settings?.enabled || !settings.paymentMethodId) return (await closeRecharge(db, recharge, "Auto-recharge was turned off", { stripe, now })) ?? reread(db, recharge.id);
  if (recharge.amount !== settings.topUpAmount) {
    // Opened before the owner changed the amount: the next crossing (or sweep) opens one at the new amount.
    return (await closeRecharge(db, recharge, `Replaced: the top-up amount was changed to ${Credits.format(settings.topUpAmount)} credits`, { stripe, now })) ?? reread(db, recharge.id);
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
  if (!claimed) return reread(db, recharge.id);
  recharge = claimed;
  const attempt = recharge.attempts;

  try {
    if (!recharge.stripeInvoiceId) {
      const customer = await getOrCreateOrgCustomer(db, recharge.organizationId, stripe);
      const description = `Auto-recharge: ${Credits.format(recharge.amount)} AI credits`;
      // The item goes straight onto this recharge's draft: an item left pending on the customer (a failure
      // between two calls) would be swept into some later invoice and charged twice.
      const draft = await stripe.invoices.create(
        {
          customer,
          collection_method: "charge_automatically",
          auto_advance: false,
          pending_invoice_items_behavior: "exclude",
          default_payment_method: settings.paymentMethodId,
          description,
          metadata: { creditdesk_kind: "auto_recharge", recharge_id: recharge.id, organization_id: recharge.organizationId },
        },
        { idempotencyKey: `recharge-${recharge.id}-draft` },
      );
      await stripe.invoiceItems.create(
        { customer, invoice: draft.id!, amount: recharge.priceCents, currency: recharge.currency, description },
        { idempotencyKey: `recharge-${recharge.id}-draft-item` },
      );
      const invoice = await stripe.invoices.finalizeInvoice(draft.id!, {}, { idempotencyKey: `recharge-${recharge.id}-finalize` });
      recharge = await update(db, recharge.id, { stripeInvoiceId: invoice.id!, hostedInvoiceUrl: invoice.hosted_invoice_url ?? null, invoicePdfUrl: invoice.invoice_pdf ?? null }, now);
    }
    const paid = await stripe.invoices.pay(recharge.stripeInvoiceId!, { off_session: true, payment_method: settings.paymentMethodId }, { idempotencyKey: `recharge-${recharge.id}-pay-${attempt}` });
    return completeRecharge(db, recharge.id, { invoicePdfUrl: paid.invoice_pdf ?? null, hostedInvoiceUrl: paid.hosted_invoice_url ?? null }, now);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === "invoice_already_paid" && recharge.stripeInvoiceId) {
      // An earlier attempt was paid but we did not hear back (crash, timeout): collect the credits now.
      const invoice = await stripe.invoices.retrieve(recharge.stripeInvoiceId);
      return completeRecharge(db, recharge.id, { invoicePdfUrl: invoice.invoice_pdf ?? null, hostedInvoiceUrl: invoice.hosted_invoice_url ?? null }, now);
    }
    if (error instanceof Stripe.errors.StripeCardError && (error.code === "invoice_payment_intent_requires_action" || error.code === "authentication_required")) {
      const updated = await updateInFlight(db, recharge.id, { status: "requires_action", actionUrl: recharge.hostedInvoiceUrl, failureReason: "Your bank asks you to confirm this payment" }, now);
      await notify(db, {
        organizationId: recharge.organizationId,
        kind: "recharge_requires_action",
        title: "Confirm your auto-recharge payment",
        body: `Your bank asks you to confirm the top-up of ${Credits.format(recharge.amount)} credits (${formatMoney(recharge.priceCents, recharge.currency)}). Open the link to complete it; the credits arrive as soon as it is paid.`,
        link: recharge.hostedInvoiceUrl,
        dedupeKey: attempt === 1 ? `recharge:${recharge.id}` : `recharge:${recharge.id}:action:${attempt}`,
        email: true,
      });
      return updated;
    }
    // A decline, or a request Stripe refuses as made (e.g. the card was removed): the same call will not
    // succeed by itself, so the owner is told and it is retried with backoff like a decline.
    if (error instanceof Stripe.errors.StripeCardError || error instanceof Stripe.errors.StripeInvalidRequestError) {
      return recordDecline(db, recharge, error.message, platform.maxConsecutiveFailures, now);
    }
    // Stripe unreachable or failing (connection, 5xx, rate limit): stays as it is and the sweep retries —
    // but not for ever, since meanwhile the in-flight slot is taken and the owner hears nothing.
    const dueSince = (recharge.nextAttemptAt ?? recharge.createdAt).getTime();
    if (error instanceof Stripe.errors.StripeError && now.getTime() - dueSince >= TRANSIENT_ERRORS_GIVE_UP_MS) {
      return recordDecline(db, recharge, `the payment could not be made for ${Math.round((now.getTime() - dueSince) / 60_000)} minutes: ${error.message}`, platform.maxConsecutiveFailures, now);
    }
    throw error;
  }
}

const reread = async (db: DbOrTx, id: string): Promise<Recharge> => (await db.select().from(recharges).where(eq(recharges.id, id)))[0];

async function recordDecline(db: DbOrTx, recharge: Recharge, reason: string, maxFailures: number, now: Date): Promise<Recharge> {
  // Closed while this payment was being tried (its invoice voided under it): not the card's failure.
  const current = await reread(db, recharge.id);
  if (!(IN_FLIGHT as readonly string[]).includes(current.status)) return current;
  const [settings] = await db
    .update(autoRechargeSettings)
    .set({ consecutiveFailures: sql`${autoRechargeSettings.consecutiveFailures} + 1`, updatedAt: now })
    .where(eq(autoRechargeSettings.organizationId, recharge.organizationId))
    .returning();
  forgetAutoRechargeCache(recharge.organizationId);
  // Declines, not attempts: a try that Stripe never answered (an outage) is not the card's failure.
  const failures = settings.consecutiveFailures;
  const backoff = RETRY_BACKOFF_MS[Math.min(failures, RETRY_BACKOFF_MS.length) - 1];
  const amount = `${Credits.format(recharge.amount)} credits (${formatMoney(recharge.priceCents, recharge.currency)})`;
  if (failures >= maxFailures) {
    const disabledReason = `Switched off after ${failures} failed payments in a row (last: ${reason}). Update your card and turn it back on.`;
    await db.update(autoRechargeSettings).set({ enabled: false, disabledReason, updatedAt: now }).where(eq(autoRechargeSettings.organizationId, recharge.organizationId));
    forgetAutoRechargeCache(recharge.organizationId);
    const failed = await updateInFlight(db, recharge.id, { status: "failed", failureReason: reason, nextAttemptAt: null, resolvedAt: now }, now);
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
  const retrying = await updateInFlight(db, recharge.id, { status: "retrying", failureReason: reason, nextAttemptAt: next }, now);
  await notify(db, {
    organizationId: recharge.organizationId,
    kind: "recharge_failed",
    title: "Auto-recharge payment failed",
    body: `The top-up of ${amount} was declined (${reason}). We will try again at ${next.toISOString().slice(0, 16).replace("T", " ")} UTC. Update your card on the Billing page to avoid your bots stopping.`,
    link: "/billing",
    dedupeKey: `recharge:${recharge.id}:failure:${failures}`,
    email: true,
  });
  return retrying;
}

/**
 * Grants a paid recharge's credits exactly once (the invoice id is the grant's external ref), whether
 * called after our own pay() or from the invoice.paid webhook (e.g. after 3-D Secure).
 */
/**
 * The statuses invoice.paid completes. A recharge closed while its invoice was being paid (3-D Secure
 * completed as the owner changed the settings) was paid all the same: Stripe has the last word.
 */
export const COMPLETABLE = [...IN_FLIGHT, "failed"] as const;

export async function completeRecharge(db: DbOrTx, rechargeId: string, links: { invoicePdfUrl: string | null; hostedInvoiceUrl: string | null }, now = new Date()): Promise<Recharge> {
  const [recharge] = await db.select().from(recharges).where(eq(recharges.id, rechargeId));
  // Only a recharge still waiting (or closed as failed while Stripe was being paid) is granted: one already
  // granted, refunded, disputed or skipped must not get a second batch that no recharge row points to.
  if (!(COMPLETABLE as readonly string[]).includes(recharge.status)) return recharge;
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
    .where(and(eq(recharges.id, rechargeId), inArray(recharges.status, [...COMPLETABLE])))
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
    body: `We charged ${formatMoney(recharge.priceCents, recharge.currency)} to your card and added ${amount}. Download the invoice (PDF) from the link in this email or from the Billing page.`,
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
 * invoice.payment_failed for an auto-recharge invoice. Stripe sends it when the bank first asks for 3-D
 * Secure too (the payment then still `requires_action`, which processRecharge has handled): only a payment
 * the owner failed to confirm counts, as a decline (owner told, retried with backoff, towards auto-disable).
 * Off-session declines are recorded by processRecharge itself; their events find the recharge not waiting.
 */
export async function recordFailedAuthentication(db: DbOrTx, invoiceId: string, stripe: Stripe = getStripe(), now = new Date()): Promise<Recharge | null> {
  const [recharge] = await db.select().from(recharges).where(eq(recharges.stripeInvoiceId, invoiceId));
  if (!recharge || recharge.status !== "requires_action") return recharge ?? null;
  const invoice = await stripe.invoices.retrieve(invoiceId, { expand: ["payments"] });
  const payments = invoice.payments?.data ?? [];
  const ref = (payments.find((p) => p.is_default) ?? payments[0])?.payment.payment_intent;
  const intent = typeof ref === "string" ? await stripe.paymentIntents.retrieve(ref) : ref;
  if (invoice.status !== "open" || !intent || intent.status !== "requires_payment_method") return recharge;
  return failWaitingForAction(db, recharge, intent.last_payment_error?.message ?? "Your bank did not confirm the payment", now);
}

/** A recharge waiting for 3-D Secure that will not be confirmed: recorded as a decline, once. */
async function failWaitingForAction(db: DbOrTx, recharge: Recharge, reason: string, now: Date): Promise<Recharge> {
  const [claimed] = await db
    .update(recharges)
    // Due now until recordDecline sets its backoff, so a crash in between leaves it to the sweep.
    .set({ status: "retrying", nextAttemptAt: now, updatedAt: now })
    .where(and(eq(recharges.id, recharge.id), eq(recharges.status, "requires_action")))
    .returning();
  if (!claimed) return reread(db, recharge.id);
  const platform = await getPlatformSettings(db);
  return recordDecline(db, claimed, reason, platform.maxConsecutiveFailures, now);
}

/**
 * The minute job: retries that are due, recharges left pending by a crash, 3-D Secure left unconfirmed for
 * a day, thresholds crossed without a charge (expiry, transfers), and the hourly alert while an
 * organization sits at zero after a failure.
 */
export async function runAutoRechargeSweep(db: DbOrTx, options: { stripe?: Stripe; now?: Date } = {}): Promise<{ processed: number; alerted: number }> {
  const now = options.now ?? new Date();
  let processed = 0;
  const unconfirmed = await db
    .select()
    .from(recharges)
    .where(and(eq(recharges.status, "requires_action"), lte(recharges.updatedAt, new Date(now.getTime() - REQUIRES_ACTION_GIVE_UP_MS))));
  for (const recharge of unconfirmed) {
    await failWaitingForAction(db, recharge, "You did not confirm the payment with your bank within 24 hours", now).catch((e) => console.error("[auto-recharge] giving up on 3-D Secure failed", e));
    processed++;
  }
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
 * SPEC §7: while an organization's credits are at zero and its recharge has failed, alert every hour until
 * it is resolved. Failed and unresolved: declined and waiting for its retry, or waiting for 3-D Secure,
 * while auto-recharge is on; or switched off after too many failures, until the owner acts. Resolved by
 * the owner too: auto-recharge turned off (the in-flight recharge is then closed) or saved again (a
 * closed recharge replaced). Then only the ordinary daily out-of-credits alert (SPEC §9) remains.
 *
 * "Zero" is zero available: the metering API has no minimum charge (a price rounds up to one
 * micro-credit), so any positive balance can still pay for some answer.
 */
export async function alertWhileStalled(db: DbOrTx, now = new Date()): Promise<number> {
  const latest = await db.execute<{ organization_id: string; status: string; failure_reason: string | null; action_url: string | null; enabled: boolean; disabled_reason: string | null }>(sql`
    select distinct on (r.organization_id) r.organization_id, r.status, r.failure_reason, r.action_url, s.enabled, s.disabled_reason
      from recharges r join auto_recharge_settings s on s.organization_id = r.organization_id
     order by r.organization_id, r.created_at desc`);
  let alerted = 0;
  for (const row of latest) {
    if (!stillFailing(row)) continue;
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

/** Whether an organization's latest recharge is a failure nobody has acted on yet (see alertWhileStalled). */
function stillFailing(latest: { status: string; enabled: boolean; disabled_reason: string | null }): boolean {
  if (latest.status === "retrying" || latest.status === "requires_action") return latest.enabled;
  // Closed as failed: by the failures themselves (auto-disable, reason kept until the owner saves the
  // settings), or by the owner turning it off or replacing it (no reason then).
  return latest.status === "failed" && !latest.enabled && latest.disabled_reason !== null;
}
