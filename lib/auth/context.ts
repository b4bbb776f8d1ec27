import { eq } from "drizzle-orm";
import { cache } from "react";
import { cookies } from "next/headers";
import { isUuid } from "@/lib/ids";
import { db } from "@/db/client";
import { users } from "@/db/schema";
import { ForbiddenError, NotFoundError, UnauthorizedError } from "@/lib/errors";
import { auth } from "./auth";
import { findOrgAccess, listAccessibleOrgs, type AccessibleOrg, type Role } from "./org-access";

export const CURRENT_ORG_COOKIE = "cd_org";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
}

export interface OrgContext {
  user: SessionUser;
  org: AccessibleOrg;
  role: Role;
}

/**
 * The signed-in user as the database has them now, or null. Cached per request. The session token only
 * says who signed in: it lives for days, so a platform-admin flag (or the user itself) revoked since then
 * must not be taken from it.
 */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  if (!session?.user?.id || !isUuid(session.user.id)) return null;
  const [user] = await db()
    .select({ id: users.id, email: users.email, name: users.name, isPlatformAdmin: users.isPlatformAdmin })
    .from(users)
    .where(eq(users.id, session.user.id))
    .limit(1);
  return user ?? null;
});

/**
 * The organization the caller is working in (the switcher's cookie, else their first org) and their role.
 * Null when signed out or the user belongs to no organization.
 */
export const getOrgContext = cache(async (): Promise<OrgContext | null> => {
  const user = await getSessionUser();
  if (!user) return null;
  const wanted = (await cookies()).get(CURRENT_ORG_COOKIE)?.value;
  if (wanted && isUuid(wanted)) {
    const org = await findOrgAccess(db(), user.id, wanted);
    if (org) return { user, org, role: org.role };
  }
  const [first] = await listAccessibleOrgs(db(), user.id);
  return first ? { user, org: first, role: first.role } : null;
});

/** Server-side chokepoint for pages, actions and route handlers working in the current organization. */
export async function requireOrgContext(options: { role?: Role } = {}): Promise<OrgContext> {
  const ctx = await getOrgContext();
  if (!ctx) throw new UnauthorizedError();
  if (options.role === "admin" && ctx.role !== "admin") throw new ForbiddenError("Only an admin of this organization can do this");
  return ctx;
}

/**
 * For routes that name an organization id: another org's id (or garbage) is a 404, never a 403,
 * so ids of other organizations leak nothing.
 */
export async function requireOrgAccess(orgId: string, options: { role?: Role } = {}): Promise<OrgContext> {
  const user = await getSessionUser();
  if (!user) throw new UnauthorizedError();
  const org = isUuid(orgId) ? await findOrgAccess(db(), user.id, orgId) : null;
  if (!org) throw new NotFoundError("Organization");
  if (options.role === "admin" && org.role !== "admin") throw new ForbiddenError("Only an admin of this organization can do this");
  return { user, org, role: org.role };
}

/** Platform-admin pages and actions (rate card, platform settings): the user's current flag, not an org role. */
export async function requirePlatformAdmin(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) throw new UnauthorizedError();
  if (!user.isPlatformAdmin) throw new NotFoundError("Page");
  return user;
}
