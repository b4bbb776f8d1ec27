import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "@/db/client";
import { memberships, organizations } from "@/db/schema";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { isUuid } from "@/lib/ids";

/**
 * Who is acting: the signed-in user and the organization they are working in (the switcher's current
 * org). Every agency verb re-checks on the server, from the database, that this org is an agency the user
 * administers, and that the target is one of ITS sub-accounts.
 */
export interface AgencyActor {
  userId: string;
  orgId: string;
}

export interface AgencyRef {
  id: string;
  name: string;
}

export interface SubAccountRef {
  id: string;
  name: string;
  status: "active" | "suspended";
  parentId: string;
}

/**
 * The actor's current org must be an agency (not itself a sub-account) and the user one of its admins.
 * Not a member of that org at all → 404 (its id leaks nothing); a member but not an admin, or the org is
 * not an agency (e.g. a sub-account user) → 403.
 */
export async function requireAgencyAdmin(db: DbOrTx, actor: AgencyActor): Promise<AgencyRef> {
  if (!isUuid(actor.orgId) || !isUuid(actor.userId)) throw new NotFoundError("Organization");
  const [row] = await db
    .select({ id: organizations.id, name: organizations.name, kind: organizations.kind, parentId: organizations.parentId, role: memberships.role })
    .from(organizations)
    .innerJoin(memberships, and(eq(memberships.organizationId, organizations.id), eq(memberships.userId, actor.userId)))
    .where(eq(organizations.id, actor.orgId));
  if (!row) throw new NotFoundError("Organization");
  if (row.kind !== "agency" || row.parentId !== null) throw new ForbiddenError("Only an agency can manage sub-accounts");
  if (row.role !== "admin") throw new ForbiddenError("Only an admin of the agency can manage sub-accounts");
  return { id: row.id, name: row.name };
}

/** One of the agency's own sub-accounts; anything else (a sibling agency's, garbage) → 404. */
export async function requireOwnSubAccount(db: DbOrTx, agencyId: string, subAccountId: string): Promise<SubAccountRef> {
  if (!isUuid(subAccountId)) throw new NotFoundError("Sub-account");
  const [row] = await db
    .select({ id: organizations.id, name: organizations.name, status: organizations.status, parentId: organizations.parentId })
    .from(organizations)
    .where(and(eq(organizations.id, subAccountId), eq(organizations.parentId, agencyId)));
  if (!row || !row.parentId) throw new NotFoundError("Sub-account");
  return { ...row, parentId: row.parentId };
}

/** Credits move only into active sub-accounts. */
export function requireActive(sub: SubAccountRef): void {
  if (sub.status !== "active") throw new ConflictError("sub_account_suspended", `${sub.name} is suspended; reactivate it first`, { sub_account_id: sub.id });
}

/**
 * requireActive on the sub-account's committed status, read under a share lock on its organization row
 * that lasts until the caller's transaction ends. A suspend (setSubAccountStatus) updates that row, so it
 * waits for a transfer holding the lock to commit, and a transfer that comes second sees the suspension:
 * no credits land after a suspend has committed. Lock order: organization rows before account rows
 * (transferCredits locks accounts), so take this before any ledger call in the transaction.
 */
export async function requireActiveLocked(tx: Tx, sub: SubAccountRef): Promise<SubAccountRef> {
  const [row] = (await tx.execute(
    sql`select name, status from organizations where id = ${sub.id} for share`,
  )) as unknown as { name: string; status: "active" | "suspended" }[];
  if (!row) throw new NotFoundError("Sub-account");
  const current = { ...sub, name: row.name, status: row.status };
  requireActive(current);
  return current;
}
