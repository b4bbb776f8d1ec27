import { and, eq, inArray, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { PgTransaction } from "drizzle-orm/pg-core";
import type { Db, Tx } from "@/db/client";
import { endUserPlans, endUserSubscriptions, orders } from "@/db/schema";
import { grantBatch } from "@/lib/ledger/grant-batch";
import { BATCH_COLUMNS, toBatchView, type BatchRow, type BatchView } from "@/lib/ledger/batch-view";
import { isUuid } from "@/lib/ids";
import { META } from "./checkout";
import { getStripe } from "./stripe";

/**
 * Fulfilment: turning a paid Checkout Session or subscription invoice into ledger batches, exactly once.
 *
 * Every path (webhook events in any order, the success page, retries) ends in `grantOrder`, which in one
 * transaction locks the order row and grants with the Stripe object's id as the batch's externalRef — the
 * ledger grants (account, source, externalRef) once — so the first caller grants and every later one is a
 * no-op returning the same batches. State is always read fresh from Stripe by id, never from an event
 * payload, so a late `checkout.session.completed` (unpaid) cannot undo what `async_payment_succeeded` did.
 */

export type Order = typeof orders.$inferSelect;
export type EndUserSubscription = typeof endUserSubscriptions.$inferSelect;

export type FulfilStatus =
  | "granted" // this call granted the credits
  | "already_granted" // an earlier call did; nothing changed
  | "processing" // an asynchronous payment is under way; nothing granted yet
  | "unpaid" // not paid (open, declined, expired, failed); nothing granted
  | "not_ours"; // no order of ours behind this Stripe object

export interface FulfilResult {
  status: FulfilStatus;
  order: Order | null;
  /** The batches the order granted (paid first, then bonus), whether by this call or an earlier one. */
  batches: BatchView[];
}

/** The id of a Stripe field that is an id or, expanded, the object. */
export const idOf = (v: string | { id: string } | null | undefined): string | null => (v == null ? null : typeof v === "string" ? v : v.id);
const DAY_MS = 86_400_000;

async function lockOrder(tx: Tx, orderId: string): Promise<Order | null> {
  const [order] = await tx.select().from(orders).where(eq(orders.id, orderId)).for("update").limit(1);
  return order ?? null;
}

/**
 * Grants an order's credits (paid batch + optional free bonus) keyed on `externalRef`, and marks it paid.
 * A refunded/disputed order keeps its status (its batches were voided; a replay re-grants nothing).
 */
export async function grantOrder(
  db: Db | Tx,
  input: {
    orderId: string;
    externalRef: string;
    source: "pack" | "end_user_plan";
    expiresAt?: Date | null;
    stripe?: { paymentIntentId?: string | null; invoiceId?: string | null; subscriptionId?: string | null; customerId?: string | null };
    now?: Date;
  },
): Promise<{ created: boolean; order: Order; batches: BatchView[] }> {
  const run = async (tx: Tx) => {
    const order = await lockOrder(tx, input.orderId);
    if (!order) throw new Error(`order ${input.orderId} vanished`);
    const now = input.now ?? new Date();
    const metadata = { order_id: order.id, ...(order.packId ? { pack_id: order.packId } : {}), ...(order.planId ? { plan_id: order.planId } : {}) };
    const paid = await grantBatch(tx, {
      accountId: order.accountId,
      type: "paid",
      source: input.source,
      amount: order.credits,
      expiresAt: input.expiresAt ?? null,
      externalRef: input.externalRef,
      metadata,
      now,
    });
    const batches = [paid.batch];
    if (order.bonusCredits > 0n && order.bonusExpiresInDays) {
      const bonus = await grantBatch(tx, {
        accountId: order.accountId,
        type: "free",
        source: "pack_bonus",
        amount: order.bonusCredits,
        expiresAt: new Date(now.getTime() + order.bonusExpiresInDays * DAY_MS),
        externalRef: input.externalRef,
        metadata,
        now,
      });
      batches.push(bonus.batch);
    }
    const s = input.stripe ?? {};
    const [updated] = await tx
      .update(orders)
      .set({
        status: sql`case when ${orders.status} in ('refunded', 'partially_refunded', 'disputed') then ${orders.status} else 'paid'::order_status end`,
        paidAt: sql`coalesce(${orders.paidAt}, ${now.toISOString()}::timestamptz)`,
        grantedBatchIds: batches.map((b) => b.id),
        stripePaymentIntentId: s.paymentIntentId ?? order.stripePaymentIntentId,
        stripeInvoiceId: s.invoiceId ?? order.stripeInvoiceId,
        stripeSubscriptionId: s.subscriptionId ?? order.stripeSubscriptionId,
        stripeCustomerId: s.customerId ?? order.stripeCustomerId,
        lastError: null,
        updatedAt: sql`now()`,
      })
      .where(eq(orders.id, order.id))
      .returning();
    return { created: paid.created, order: updated, batches };
  };
  return db instanceof PgTransaction ? run(db as Tx) : (db as Db).transaction(run);
}

async function findOrderForSession(db: Db, session: Stripe.Checkout.Session): Promise<Order | null> {
  const byMeta = session.metadata?.[META.orderId] ?? session.client_reference_id;
  if (byMeta && isUuid(byMeta)) {
    const [order] = await db.select().from(orders).where(eq(orders.id, byMeta)).limit(1);
    if (order && (order.stripeCheckoutSessionId === null || order.stripeCheckoutSessionId === session.id)) return order;
  }
  const [order] = await db.select().from(orders).where(eq(orders.stripeCheckoutSessionId, session.id)).limit(1);
  return order ?? null;
}

async function setOrderStatus(db: Db, orderId: string, status: Order["status"], onlyFrom: Order["status"][], lastError?: string | null) {
  await db
    .update(orders)
    .set({ status, ...(lastError !== undefined ? { lastError } : {}), updatedAt: sql`now()` })
    .where(and(eq(orders.id, orderId), inArray(orders.status, onlyFrom)));
}

async function batchesOf(db: Db, order: Order | null): Promise<BatchView[]> {
  if (!order || order.grantedBatchIds.length === 0) return [];
  const found = (await db.execute(
    sql`select ${sql.raw(BATCH_COLUMNS)} from batches where id = any(${`{${order.grantedBatchIds.join(",")}}`}::uuid[]) order by seq`,
  )) as unknown as BatchRow[];
  return found.map(toBatchView);
}

/**
 * Fulfils a Checkout Session (webhook `checkout.session.completed` / `async_payment_succeeded`, or the
 * success page). Payment mode grants when `payment_status` is `paid`; subscription mode records the
 * subscription and fulfils its first invoice.
 */
export async function fulfilCheckoutSession(db: Db, sessionId: string, stripe: Stripe = getStripe()): Promise<FulfilResult> {
  const session = await stripe.checkout.sessions.retrieve(sessionId);
  const order = await findOrderForSession(db, session);
  if (!order) return { status: "not_ours", order: null, batches: [] };
  if (order.stripeCheckoutSessionId === null) {
    await db.update(orders).set({ stripeCheckoutSessionId: session.id }).where(and(eq(orders.id, order.id), sql`stripe_checkout_session_id is null`));
  }
  if (session.mode === "subscription") {
    const subscriptionId = idOf(session.subscription);
    const invoiceId = idOf(session.invoice);
    if (session.status !== "complete" || !subscriptionId || !invoiceId) {
      if (session.status === "expired") await setOrderStatus(db, order.id, "expired", ["pending", "payment_failed"]);
      return { status: "unpaid", order, batches: [] };
    }
    await syncSubscription(db, subscriptionId, stripe);
    const result = await fulfilInvoice(db, invoiceId, stripe);
    return result.status === "not_ours" ? { status: "unpaid", order, batches: [] } : result;
  }
  if (session.mode !== "payment") return { status: "not_ours", order, batches: [] };
  if (session.payment_status !== "paid") {
    if (session.status === "complete") {
      // Complete but unpaid: a bank transfer under way, or one that failed (async_payment_failed). A
      // reload of the success page after the failure must not promise credits again.
      const paymentIntentId = idOf(session.payment_intent);
      const payment = paymentIntentId ? await stripe.paymentIntents.retrieve(paymentIntentId) : null;
      if (payment?.status !== "processing") return { status: "unpaid", order, batches: [] };
      await setOrderStatus(db, order.id, "processing", ["pending", "payment_failed"]);
      return { status: "processing", order, batches: [] };
    }
    if (session.status === "expired") await setOrderStatus(db, order.id, "expired", ["pending", "payment_failed"]);
    return { status: "unpaid", order, batches: [] };
  }
  const granted = await grantOrder(db, {
    orderId: order.id,
    externalRef: session.id,
    source: "pack",
    stripe: { paymentIntentId: idOf(session.payment_intent), invoiceId: idOf(session.invoice), customerId: idOf(session.customer) },
  });
  return { status: granted.created ? "granted" : "already_granted", order: granted.order, batches: granted.batches };
}

/** Marks a pack order failed after a declined or failed asynchronous payment (nothing was granted). */
export async function markSessionPaymentFailed(db: Db, sessionId: string, reason: string, stripe: Stripe = getStripe()): Promise<Order | null> {
  const session = await stripe.checkout.sessions.retrieve(sessionId);
  const order = await findOrderForSession(db, session);
  if (!order) return null;
  await setOrderStatus(db, order.id, "payment_failed", ["pending", "processing", "payment_failed"], reason);
  return order;
}

/** A declined attempt on a Checkout Session's payment intent: the order says why (the session stays open for another card). */
export async function recordPaymentIntentFailure(db: Db, paymentIntent: Stripe.PaymentIntent): Promise<Order | null> {
  const orderId = paymentIntent.metadata?.[META.orderId];
  if (!orderId || !isUuid(orderId)) return null;
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId)).limit(1);
  if (!order) return null;
  await setOrderStatus(db, order.id, "payment_failed", ["pending", "payment_failed"], paymentIntent.last_payment_error?.message ?? "The payment failed.");
  return order;
}

export async function markSessionExpired(db: Db, sessionId: string, stripe: Stripe = getStripe()): Promise<void> {
  const session = await stripe.checkout.sessions.retrieve(sessionId);
  const order = await findOrderForSession(db, session);
  if (order && session.status === "expired") await setOrderStatus(db, order.id, "expired", ["pending", "payment_failed"]);
}

// ---- Subscriptions (end-user plans) ----

function periodOf(sub: Stripe.Subscription): { start: Date | null; end: Date | null } {
  const item = sub.items?.data?.[0] as (Stripe.SubscriptionItem & { current_period_start?: number; current_period_end?: number }) | undefined;
  const top = sub as unknown as { current_period_start?: number; current_period_end?: number };
  const start = item?.current_period_start ?? top.current_period_start;
  const end = item?.current_period_end ?? top.current_period_end;
  return { start: start ? new Date(start * 1000) : null, end: end ? new Date(end * 1000) : null };
}

/**
 * Mirrors a Stripe subscription into end_user_subscriptions (created from its metadata on first sight, so an
 * invoice that arrives before checkout.session.completed still finds its plan). Null when not one of ours.
 */
export async function syncSubscription(db: Db, subscriptionId: string, stripe: Stripe = getStripe()): Promise<EndUserSubscription | null> {
  const sub = await stripe.subscriptions.retrieve(subscriptionId);
  const meta = sub.metadata ?? {};
  const planId = meta[META.planId];
  const botId = meta[META.botId];
  const endUserId = meta[META.endUserId];
  const orderId = meta[META.orderId];
  if (!planId || !isUuid(planId) || !orderId || !isUuid(orderId) || !botId || !endUserId) return null;
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId)).limit(1);
  const [plan] = await db.select().from(endUserPlans).where(eq(endUserPlans.id, planId)).limit(1);
  if (!order || !plan || order.planId !== plan.id) return null;
  const period = periodOf(sub);
  const values = {
    status: sub.status,
    currentPeriodStart: period.start,
    currentPeriodEnd: period.end,
    cancelAtPeriodEnd: Boolean(sub.cancel_at_period_end),
    canceledAt: sub.canceled_at ? new Date(sub.canceled_at * 1000) : null,
    updatedAt: new Date(),
  };
  const [row] = await db
    .insert(endUserSubscriptions)
    .values({
      organizationId: order.organizationId,
      botId: order.botId!,
      endUserId: order.endUserId!,
      accountId: order.accountId,
      planId: plan.id,
      creditsPerPeriod: order.credits,
      rollover: plan.rollover,
      stripeSubscriptionId: sub.id,
      stripeCustomerId: idOf(sub.customer)!,
      ...values,
    })
    .onConflictDoUpdate({ target: endUserSubscriptions.stripeSubscriptionId, set: values })
    .returning();
  await db
    .update(orders)
    .set({ stripeSubscriptionId: sub.id })
    .where(and(eq(orders.id, order.id), sql`stripe_subscription_id is null`));
  return row;
}

async function subscriptionRow(db: Db, subscriptionId: string, stripe: Stripe): Promise<EndUserSubscription | null> {
  const [row] = await db.select().from(endUserSubscriptions).where(eq(endUserSubscriptions.stripeSubscriptionId, subscriptionId)).limit(1);
  return row ?? (await syncSubscription(db, subscriptionId, stripe));
}

/**
 * The end of the period an invoice bills the subscription for. Not simply its first line: a plan or
 * quantity change bills the rest of the old period as proration lines, often listed before the new
 * period's own line, and a manual invoice item can sit there too. The period line is the subscription
 * item's non-proration line (the subscription's current item when several are left); an invoice
 * without one (only prorations, or more lines than the invoice carries inline) falls back to the
 * subscription's current period, read fresh from Stripe.
 */
async function periodEndOf(invoice: Stripe.Invoice, subscriptionId: string, stripe: Stripe): Promise<Date | null> {
  const candidates = (invoice.lines?.data ?? []).filter((line) => {
    const item = line.parent?.subscription_item_details;
    return item != null && !item.proration && (item.subscription == null || item.subscription === subscriptionId) && line.period?.end;
  });
  const endOf = (line: Stripe.InvoiceLineItem) => new Date(line.period.end * 1000);
  if (candidates.length === 1) return endOf(candidates[0]);
  const sub = await stripe.subscriptions.retrieve(subscriptionId);
  const current = new Set((sub.items?.data ?? []).map((i) => i.id));
  const line = candidates.find((l) => current.has(l.parent!.subscription_item_details!.subscription_item)) ?? candidates[0];
  return line ? endOf(line) : periodOf(sub).end;
}

/**
 * Fulfils a paid subscription invoice: one batch of the plan's credits for that period (expiring at period end
 * unless the plan rolls over), keyed on the invoice id. The first invoice completes the checkout's order; each
 * renewal gets an order of its own (kind plan_renewal). Invoices that are not ours (auto-recharge, checkout
 * receipts) return `not_ours`.
 */
export async function fulfilInvoice(db: Db, invoiceId: string, stripe: Stripe = getStripe(), now: Date = new Date()): Promise<FulfilResult> {
  const invoice = await stripe.invoices.retrieve(invoiceId, { expand: ["payments"] });
  const subscriptionId = idOf(invoice.parent?.subscription_details?.subscription as string | { id: string } | null | undefined);
  if (!subscriptionId) return { status: "not_ours", order: null, batches: [] };
  const sub = await subscriptionRow(db, subscriptionId, stripe);
  if (!sub) return { status: "not_ours", order: null, batches: [] };
  if (invoice.status !== "paid") return { status: "unpaid", order: null, batches: [] };
  const periodEnd = await periodEndOf(invoice, subscriptionId, stripe);
  const paymentIntentId =
    (invoice.payments?.data ?? [])
      .map((p) => (p.payment?.type === "payment_intent" ? idOf(p.payment.payment_intent as string | { id: string } | undefined) : null))
      .find(Boolean) ?? null;
  const meta = (invoice.parent?.subscription_details?.metadata ?? {}) as Record<string, string>;
  const firstOrderId = invoice.billing_reason === "subscription_create" ? meta[META.orderId] : undefined;

  let orderId: string;
  if (firstOrderId && isUuid(firstOrderId)) orderId = firstOrderId;
  else {
    const [plan] = await db.select().from(endUserPlans).where(eq(endUserPlans.id, sub.planId)).limit(1);
    await db
      .insert(orders)
      .values({
        kind: "plan_renewal",
        organizationId: sub.organizationId,
        sellerOrganizationId: sub.organizationId,
        buyerKind: "end_user",
        botId: sub.botId,
        endUserId: sub.endUserId,
        accountId: sub.accountId,
        planId: sub.planId,
        description: `${plan?.name ?? "Plan"} (renewal)`,
        amountMinor: invoice.amount_paid ?? 0,
        currency: invoice.currency,
        credits: sub.creditsPerPeriod,
        stripeInvoiceId: invoice.id,
        stripeSubscriptionId: subscriptionId,
        stripeCustomerId: sub.stripeCustomerId,
      })
      .onConflictDoNothing();
    const [row] = await db.select({ id: orders.id }).from(orders).where(eq(orders.stripeInvoiceId, invoice.id!)).limit(1);
    orderId = row.id;
  }
  let expiresAt: Date | null = sub.rollover ? null : periodEnd;
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    // A very late delivery for a period that is already over: the allowance would be born expired.
    expiresAt = null;
    const [order] = await db.select().from(orders).where(eq(orders.id, orderId)).limit(1);
    await db.update(orders).set({ status: "paid", paidAt: sql`coalesce(paid_at, now())`, stripeInvoiceId: invoice.id, lastError: "period already over; nothing granted" }).where(eq(orders.id, orderId));
    return { status: "already_granted", order, batches: [] };
  }
  const granted = await grantOrder(db, {
    orderId,
    externalRef: invoice.id!,
    source: "end_user_plan",
    expiresAt,
    now,
    stripe: { paymentIntentId, invoiceId: invoice.id, subscriptionId, customerId: idOf(invoice.customer as string | { id: string } | null) },
  });
  return { status: granted.created ? "granted" : "already_granted", order: granted.order, batches: granted.batches };
}

export { batchesOf as orderBatches };
