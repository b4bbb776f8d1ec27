import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { endUserSubscriptions } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { getStripe } from "./stripe";

/**
 * A suspended organization's bots cannot answer, so the plans its visitors bought from them must not keep
 * charging: collection of those subscriptions is paused at Stripe (`pause_collection: void`: each renewal's
 * invoice is voided, nothing is charged, nothing is granted) and resumed when the organization is active again.
 *
 * Stripe is called after the status change has committed, never inside its transaction, so a Stripe outage
 * cannot undo a suspend. What Stripe was last told is the subscription's `collection_paused` flag (and an
 * audit row in the organization for its history); any live subscription whose flag disagrees with its
 * organization's status is still to do, and the sweep job retries it every minute until it agrees.
 */
export const COLLECTION_PAUSED = "plan_subscription.collection_paused";
export const COLLECTION_RESUMED = "plan_subscription.collection_resumed";

/** Stripe statuses in which a subscription still renews. */
const RENEWING = ["active", "past_due", "trialing", "unpaid"];

export interface PlanCollectionResult {
  paused: string[];
  resumed: string[];
  failed: { subscriptionId: string; message: string }[];
}

interface Pending {
  organization_id: string;
  stripe_subscription_id: string;
  bot_id: string;
  end_user_id: string;
  suspended: boolean;
}

/** Live subscriptions whose collection at Stripe is not what their organization's status asks for. */
async function pendingSubscriptions(db: Db, organizationId: string | null): Promise<Pending[]> {
  return (await db.execute(sql`
    select s.organization_id, s.stripe_subscription_id, s.bot_id, s.end_user_id, o.status = 'suspended' as suspended
      from end_user_subscriptions s
      join organizations o on o.id = s.organization_id
     where s.status in (${sql.join(RENEWING.map((r) => sql`${r}`), sql`, `)})
       ${organizationId ? sql`and s.organization_id = ${organizationId}` : sql``}
       and (o.status = 'suspended') <> s.collection_paused
     order by s.organization_id, s.created_at`)) as unknown as Pending[];
}

/**
 * Makes the organization's plan subscriptions collect (active) or not (suspended) as its status is NOW.
 * Runs of one organization are serialized (a session advisory lock; no transaction is held over the Stripe
 * calls), so a quick suspend → reactivate cannot leave its last Stripe call and its last record in different
 * orders. Never throws for a Stripe failure: the subscription is reported in `failed` and left for the sweep.
 */
export async function syncPlanCollection(
  db: Db,
  organizationId: string,
  options: { stripe?: Stripe; actorUserId?: string | null } = {},
): Promise<PlanCollectionResult> {
  const result: PlanCollectionResult = { paused: [], resumed: [], failed: [] };
  const stripe = options.stripe ?? getStripe();
  const conn = await db.$client.reserve();
  try {
    await conn`select pg_advisory_lock(hashtext('plan-collection'), hashtext(${organizationId}))`;
    for (const sub of await pendingSubscriptions(db, organizationId)) {
      try {
        await stripe.subscriptions.update(sub.stripe_subscription_id, { pause_collection: sub.suspended ? { behavior: "void" } : "" });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        console.error(`[billing] ${sub.suspended ? "pausing" : "resuming"} plan subscription ${sub.stripe_subscription_id} failed; the sweep retries`, message);
        result.failed.push({ subscriptionId: sub.stripe_subscription_id, message });
        continue;
      }
      await db.transaction(async (tx) => {
        await tx.update(endUserSubscriptions).set({ collectionPaused: sub.suspended, updatedAt: new Date() }).where(eq(endUserSubscriptions.stripeSubscriptionId, sub.stripe_subscription_id));
        await recordAudit(tx, {
          organizationId: sub.organization_id,
          actorUserId: options.actorUserId ?? null,
          action: sub.suspended ? COLLECTION_PAUSED : COLLECTION_RESUMED,
          subjectType: "plan_subscription",
          subjectId: sub.stripe_subscription_id,
          data: { bot_id: sub.bot_id, end_user_id: sub.end_user_id, reason: sub.suspended ? "organization suspended" : "organization reactivated" },
        });
      });
      (sub.suspended ? result.paused : result.resumed).push(sub.stripe_subscription_id);
    }
  } finally {
    await conn`select pg_advisory_unlock(hashtext('plan-collection'), hashtext(${organizationId}))`.catch(() => undefined);
    conn.release();
  }
  return result;
}

/** The retry: every organization with a subscription still to pause or resume (also ones bought while a suspend was under way). */
export async function syncAllPlanCollections(db: Db, options: { stripe?: Stripe } = {}): Promise<PlanCollectionResult> {
  const total: PlanCollectionResult = { paused: [], resumed: [], failed: [] };
  const orgs = [...new Set((await pendingSubscriptions(db, null)).map((p) => p.organization_id))];
  for (const organizationId of orgs) {
    const r = await syncPlanCollection(db, organizationId, options);
    total.paused.push(...r.paused);
    total.resumed.push(...r.resumed);
    total.failed.push(...r.failed);
  }
  return total;
}
