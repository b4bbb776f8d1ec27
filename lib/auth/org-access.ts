import { and, eq, inArray, or } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { memberships, organizations } from "@/db/schema";

export type Role = "admin" | "member";

export interface AccessibleOrg {
  id: string;
  name: string;
  kind: "owner" | "agency";
  parentId: string | null;
  status: "active" | "suspended";
  role: Role;
  /** `agency` when reached through membership of the parent agency rather than directly. */
  via: "membership" | "agency";
}

/**
 * Every organization a user may act in: their own memberships, plus the sub-accounts of any agency
 * they administer (an agency admin enters a sub-account as its admin). One query, ordered for a switcher.
 */
export async function listAccessibleOrgs(db: DbOrTx, userId: string): Promise<AccessibleOrg[]> {
  const direct = await db
    .select({
      id: organizations.id,
      name: organizations.name,
      kind: organizations.kind,
      parentId: organizations.parentId,
      status: organizations.status,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(eq(memberships.userId, userId));

  const adminAgencyIds = direct.filter((o) => o.kind === "agency" && o.role === "admin").map((o) => o.id);
  const directIds = new Set(direct.map((o) => o.id));
  const children = adminAgencyIds.length
    ? await db
        .select({
          id: organizations.id,
          name: organizations.name,
          kind: organizations.kind,
          parentId: organizations.parentId,
          status: organizations.status,
        })
        .from(organizations)
        .where(inArray(organizations.parentId, adminAgencyIds))
    : [];

  const result: AccessibleOrg[] = [
    ...direct.map((o) => ({ ...o, via: "membership" as const })),
    ...children.filter((c) => !directIds.has(c.id)).map((c) => ({ ...c, role: "admin" as const, via: "agency" as const })),
  ];
  // Parents first, each followed by its sub-accounts, then by name.
  return result.sort((a, b) => {
    const keyA = `${a.parentId ? (result.find((o) => o.id === a.parentId)?.name ?? "") + "/" : ""}${a.name}`;
    const keyB = `${b.parentId ? (result.find((o) => o.id === b.parentId)?.name ?? "") + "/" : ""}${b.name}`;
    return keyA.localeCompare(keyB);
  });
}

/** The caller's role in one organization, or null when they may not see it at all (→ 404 upstream). */
export async function findOrgAccess(db: DbOrTx, userId: string, orgId: string): Promise<AccessibleOrg | null> {
  const rows = await db
    .select({
      id: organizations.id,
      name: organizations.name,
      kind: organizations.kind,
      parentId: organizations.parentId,
      status: organizations.status,
      memberOrgId: memberships.organizationId,
      role: memberships.role,
    })
    .from(organizations)
    .innerJoin(
      memberships,
      and(
        eq(memberships.userId, userId),
        or(eq(memberships.organizationId, organizations.id), eq(memberships.organizationId, organizations.parentId)),
      ),
    )
    .where(eq(organizations.id, orgId));
  const direct = rows.find((r) => r.memberOrgId === r.id);
  if (direct) return { ...pick(direct), role: direct.role, via: "membership" };
  const viaAgency = rows.find((r) => r.memberOrgId === r.parentId && r.role === "admin");
  if (viaAgency) return { ...pick(viaAgency), role: "admin", via: "agency" };
  return null;
}

function pick(r: { id: string; name: string; kind: "owner" | "agency"; parentId: string | null; status: "active" | "suspended" }) {
  return { id: r.id, name: r.name, kind: r.kind, parentId: r.parentId, status: r.status };
}
