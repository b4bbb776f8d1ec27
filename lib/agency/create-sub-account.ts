import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { organizations } from "@/db/schema";
import { syncPlanCollection } from "@/lib/billing/pause-subscriptions";
import { forgetOrganizationStatus } from "@/lib/metering/routing";
import { recordAudit } from "@/lib/audit";
import { InvalidInputError } from "@/lib/errors";
import { getOrCreateOrgAccount } from "@/lib/ledger";
import { requireAgencyAdmin, requireOwnSubAccount, type AgencyActor, type SubAccountRef } from "./access";

export function cleanName(name: unknown, field = "name"): string {
  const trimmed = typeof name === "string" ? name.trim() : "";
  if (!trimmed) throw new InvalidInputError(field, "Give the sub-account a name");
  if (trimmed.length > 80) throw new InvalidInputError(field, "At most 80 characters");
  return trimmed;
}

/** A new client of the agency: an organization with parent_id = the agency, and its (empty) pool. */
export async function createSubAccount(db: Db, actor: AgencyActor, input: { name: string; billingEmail?: string | null }): Promise<SubAccountRef> {
  const name = cleanName(input.name);
  const agency = await requireAgencyAdmin(db, actor);
  return db.transaction(async (tx) => {
    const [org] = await tx
      .insert(organizations)
      .values({ name, kind: "owner", parentId: agency.id, billingEmail: input.billingEmail || null })
      .returning({ id: organizations.id, name: organizations.name, status: organizations.status });
    await getOrCreateOrgAccount(tx, org.id);
    const data = { name, agency_id: agency.id };
    await recordAudit(tx, { organizationId: agency.id, actorUserId: actor.userId, action: "sub_account.created", subjectType: "organization", subjectId: org.id, data });
    await recordAudit(tx, { organizationId: org.id, actorUserId: actor.userId, action: "sub_account.created", subjectType: "organization", subjectId: org.id, data });
    return { ...org, parentId: agency.id };
  });
}

export async function renameSubAccount(db: Db, actor: AgencyActor, input: { subAccountId: string; name: string }): Promise<SubAccountRef> {
  const name = cleanName(input.name);
  const agency = await requireAgencyAdmin(db, actor);
  const sub = await requireOwnSubAccount(db, agency.id, input.subAccountId);
  return db.transaction(async (tx) => {
    await tx.update(organizations).set({ name }).where(eq(organizations.id, sub.id));
    const data = { from: sub.name, to: name };
    await recordAudit(tx, { organizationId: agency.id, actorUserId: actor.userId, action: "sub_account.renamed", subjectType: "organization", subjectId: sub.id, data });
    await recordAudit(tx, { organizationId: sub.id, actorUserId: actor.userId, action: "sub_account.renamed", subjectType: "organization", subjectId: sub.id, data });
    return { ...sub, name };
  });
}

export interface StatusChange extends SubAccountRef {
  /**
   * Plan subscriptions of its bots' visitors whose collection could not be paused/resumed at Stripe yet
   * (null: not known, the check itself failed). The sweep job retries them.
   */
  planSubscriptionsPending: number | null;
}

/**
 * Suspend (or reactivate) a sub-account. Suspended: no credits are assigned to it; its credits stay where
 * they are (reclaim them explicitly); its bots are refused, so the plans its visitors bought from them stop
 * charging (collection paused at Stripe) until it is reactivated.
 */
export async function setSubAccountStatus(
  db: Db,
  actor: AgencyActor,
  input: { subAccountId: string; status: "active" | "suspended" },
  options: { stripe?: Stripe } = {},
): Promise<StatusChange> {
  if (input.status !== "active" && input.status !== "suspended") throw new InvalidInputError("status", "status must be active or suspended");
  const agency = await requireAgencyAdmin(db, actor);
  const sub = await requireOwnSubAccount(db, agency.id, input.subAccountId);
  const updated = await db.transaction(async (tx) => {
    // The row lock an assign's share lock waits for (see requireActiveLocked); the status is re-read under it
    // so two concurrent toggles do not both think they changed it.
    const [row] = (await tx.execute(sql`select status from organizations where id = ${sub.id} for no key update`)) as unknown as { status: SubAccountRef["status"] }[];
    if (row.status === input.status) return null;
    await tx.update(organizations).set({ status: input.status }).where(eq(organizations.id, sub.id));
    const action = input.status === "suspended" ? "sub_account.suspended" : "sub_account.reactivated";
    await recordAudit(tx, { organizationId: agency.id, actorUserId: actor.userId, action, subjectType: "organization", subjectId: sub.id, data: { name: sub.name } });
    await recordAudit(tx, { organizationId: sub.id, actorUserId: actor.userId, action, subjectType: "organization", subjectId: sub.id, data: { name: sub.name } });
    return { ...sub, status: input.status };
  });
  if (!updated) return { ...sub, status: input.status, planSubscriptionsPending: 0 };
  // A suspended sub-account's bots are refused by the metering API; make this process see it at once.
  forgetOrganizationStatus(sub.id);
  // After the commit: Stripe failing must not undo the status change; what fails is retried by the sweep.
  const plans = await syncPlanCollection(db, sub.id, { stripe: options.stripe, actorUserId: actor.userId }).catch((error) => {
    console.error(`[agency] plan subscriptions of ${sub.id} not synced after ${input.status}; the sweep retries`, error);
    return null;
  });
  return { ...updated, planSubscriptionsPending: plans ? plans.failed.length : null };
}
