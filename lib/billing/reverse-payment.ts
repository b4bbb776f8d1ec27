import { and, eq, inArray, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db, Tx } from "@/db/client";
import { orders, recharges } from "@/db/schema";
import { voidBatchRemainder } from "@/lib/ledger/void-batch-remainder";
import { COMPLETABLE, completeRechargeForInvoice, type Recharge } from "./auto-recharge/recharge";
import { fulfilCheckoutSession, fulfilInvoice, idOf, type Order } from "./fulfil";
import { getStripe } from "./stripe";

/**
 * Refunds and disputes (SPEC §6): the credits a payment bought are voided in the share of the payment
 * that was taken back; spent credits stay spent.
 *
 * - A full refund or dispute voids the whole unspent remainder and closes the batches (what an open hold
 *   still earmarks is voided when it is released). It follows the credits wherever they were moved: an
 *   agency that assigned part of a refunded pack to a sub-account does not keep that part.
 * - A partial refund voids that share of each batch the payment granted (a 1-cent goodwill refund on a
 *   $15 pack voids 1/1500 of it, not all of it), and the batches stay spendable. Refunds add up: each
 *   `charge.refunded` carries the charge's total refunded so far, and only what is still owed is voided.
 *   A partial refund stays with the batches the payment granted: credits moved on from them (an agency's
 *   assignment) would otherwise count twice.
 *
 * What a payment bought: orders (packs, a plan's invoices) or an auto-recharge. When the refund's event
 * arrives before the grant's, the grant is made first (exactly once, as always), so the void has
 * something to act on and a late grant event finds it done.
 */

export type ReversalReason = "refunded" | "disputed";

export interface PaymentReversal {
  paymentIntentId: string;
  reason: ReversalReason;
  /** Minor units taken back so far: the charge's `amount_refunded`, or the dispute's `amount`. */
  reversedMinor: number;
  /** Minor units the charge captured. */
  capturedMinor: number;
}

export interface ReversalOutcome {
  orders: Order[];
  recharges: Recharge[];
  /** Micro-credits voided by this call (0 when a replay found everything already voided). */
  voided: bigint;
}

const isFull = (r: PaymentReversal) => r.capturedMinor <= 0 || r.reversedMinor >= r.capturedMinor;

/** The status a reversal leaves: a dispute of any amount is a dispute; a refund is full or partial. */
function statusAfter(r: PaymentReversal): "refunded" | "partially_refunded" | "disputed" {
  if (r.reason === "disputed") return "disputed";
  return isFull(r) ? "refunded" : "partially_refunded";
}

export async function reversePayment(db: Db, reversal: PaymentReversal, stripe: Stripe = getStripe()): Promise<ReversalOutcome> {
  const paymentIntentId = reversal.paymentIntentId;
  let paid = await ordersPaidBy(db, paymentIntentId);
  if (paid.length === 0) {
    const [session] = (await stripe.checkout.sessions.list({ payment_intent: paymentIntentId, limit: 1 })).data;
    if (session) await fulfilCheckoutSession(db, session.id, stripe);
    else {
      // Not a pack's Checkout payment: an invoice's (a plan's period, or an auto-recharge).
      const [payment] = (await stripe.invoicePayments.list({ payment: { type: "payment_intent", payment_intent: paymentIntentId }, limit: 1 })).data;
      const invoiceId = idOf(payment?.invoice as string | { id: string } | undefined);
      if (invoiceId) {
        const [recharge] = await db.select().from(recharges).where(eq(recharges.stripeInvoiceId, invoiceId)).limit(1);
        if (recharge) return reverseRecharge(db, recharge, reversal);
        await fulfilInvoice(db, invoiceId, stripe);
      }
    }
    paid = await ordersPaidBy(db, paymentIntentId);
  }
  let voided = 0n;
  const changed: Order[] = [];
  for (const { id } of paid) {
    const result = await db.transaction(async (tx) => {
      const [order] = await tx.select().from(orders).where(eq(orders.id, id)).for("update").limit(1);
      if (!order) return null;
      const sum = await voidShare(tx, order.grantedBatchIds, reversal);
      const [updated] = await tx
        .update(orders)
        .set({ status: nextStatus(order.status, reversal), updatedAt: sql`now()` })
        .where(eq(orders.id, order.id))
        .returning();
      return { order: updated, sum };
    });
    if (result) {
      voided += result.sum;
      changed.push(result.order);
    }
  }
  return { orders: changed, recharges: [], voided };
}

async function ordersPaidBy(db: Db, paymentIntentId: string): Promise<{ id: string }[]> {
  return db.select({ id: orders.id }).from(orders).where(eq(orders.stripePaymentIntentId, paymentIntentId));
}

/**
 * Paid (or already partly reversed) purchases move on; one still pending or processing was not granted,
 * and one already refunded or disputed in full stays so (a later partial refund event is older news).
 */
function nextStatus<S extends string>(current: S, reversal: PaymentReversal): S | ReturnType<typeof statusAfter> {
  if (current === "refunded" || current === "disputed") return current;
  if (current === "paid" || current === "succeeded" || current === "partially_refunded") return statusAfter(reversal);
  return current;
}

async function reverseRecharge(db: Db, found: Recharge, reversal: PaymentReversal): Promise<ReversalOutcome> {
  // Paid on Stripe but not yet granted here (we crashed before hearing back, or closed it as failed while
  // the owner was paying): a refund or dispute proves the payment, so grant it first, once, and void it.
  if ((COMPLETABLE as readonly string[]).includes(found.status)) {
    await completeRechargeForInvoice(db, { id: found.stripeInvoiceId, metadata: { recharge_id: found.id } });
  }
  const result = await db.transaction(async (tx) => {
    const [recharge] = await tx.select().from(recharges).where(eq(recharges.id, found.id)).for("update").limit(1);
    const sum = recharge.batchId ? await voidShare(tx, [recharge.batchId], reversal) : 0n;
    const [updated] = await tx
      .update(recharges)
      .set({ status: nextStatus(recharge.status, reversal), updatedAt: new Date() })
      .where(and(eq(recharges.id, recharge.id), inArray(recharges.status, ["succeeded", "partially_refunded", "refunded", "disputed"])))
      .returning();
    return { recharge: updated ?? recharge, sum };
  });
  return { orders: [], recharges: [result.recharge], voided: result.sum };
}

/**
 * Voids the reversal's share of these batches (and, for a full reversal, of every batch their credits
 * were moved into). Accounts are locked in id order, as every ledger writer does, so this cannot
 * deadlock with a transfer between the same accounts.
 */
async function voidShare(tx: Tx, batchIds: string[], reversal: PaymentReversal): Promise<bigint> {
  if (batchIds.length === 0) return 0n;
  const ids = `{${batchIds.join(",")}}`;
  const full = isFull(reversal);
  const batches = (await tx.execute(
    full
      ? sql`with recursive lineage as (
              select id from batches where id = any(${ids}::uuid[])
              union
              select b.id from batches b join lineage l on b.origin_batch_id = l.id)
            select b.id, b.amount::text as amount, '0' as voided from batches b join lineage l on l.id = b.id order by b.account_id, b.id`
      : sql`select b.id, b.amount::text as amount,
                   coalesce((select -sum(e.remaining_delta) from ledger_entries e where e.batch_id = b.id and e.kind = 'void'), 0)::text as voided
              from batches b where b.id = any(${ids}::uuid[]) order by b.account_id, b.id`,
  )) as unknown as { id: string; amount: string; voided: string }[];
  const reason = `${reversal.reason}: payment ${reversal.paymentIntentId}`;
  let sum = 0n;
  for (const batch of batches) {
    if (full) {
      sum += (await voidBatchRemainder(tx, { batchId: batch.id, reason })).voided;
      continue;
    }
    // This batch's share of everything refunded so far, rounded up (never less than the refund's share).
    const owed = ceilDiv(BigInt(batch.amount) * BigInt(reversal.reversedMinor), BigInt(reversal.capturedMinor)) - BigInt(batch.voided);
    if (owed > 0n) sum += (await voidBatchRemainder(tx, { batchId: batch.id, upTo: owed, reason })).voided;
  }
  return sum;
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
