import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { memberships, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { findOrgAccess } from "@/lib/auth/org-access";
import { hashPassword } from "@/lib/auth/password";
import { ConflictError, InvalidInputError } from "@/lib/errors";
import { queueEmail } from "@/lib/notifications/notify";
import { requireAgencyAdmin, requireOwnSubAccount, type AgencyActor } from "./access";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface InviteResult {
  userId: string;
  email: string;
  role: "admin" | "member";
  /** True when a new login was created: `temporaryPassword` is then shown once to the agency admin. */
  created: boolean;
  temporaryPassword: string | null;
}

/**
 * Gives a person access to ONE sub-account (a membership there; never to the agency or a sibling).
 * An existing user gets the membership; a new one gets a login with a one-time temporary password that
 * is returned to the inviting admin once (never stored in clear, never emailed). An email telling them
 * where to sign in is queued (SMTP or the outbox).
 */
export async function inviteSubAccountUser(
  db: Db,
  actor: AgencyActor,
  input: { subAccountId: string; email: string; name?: string; role?: "admin" | "member"; appUrl?: string },
): Promise<InviteResult> {
  const email = typeof input.email === "string" ? input.email.trim().toLowerCase() : "";
  if (!EMAIL.test(email) || email.length > 200) throw new InvalidInputError("email", "Enter an email address");
  const role = input.role ?? "admin";
  if (role !== "admin" && role !== "member") throw new InvalidInputError("role", "role must be admin or member");
  const agency = await requireAgencyAdmin(db, actor);
  const sub = await requireOwnSubAccount(db, agency.id, input.subAccountId);

  const temporaryPassword = randomBytes(9).toString("base64url");
  const hash = await hashPassword(temporaryPassword);
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${email}`);
    let userId: string;
    let created = false;
    if (existing) {
      userId = existing.id;
      // Any access they already have wins: a direct membership would take precedence over the admin role an
      // agency admin holds in every sub-account (findOrgAccess), so inviting one as a member would demote them.
      const access = await findOrgAccess(tx, userId, sub.id);
      if (access?.via === "membership") {
        throw new ConflictError("already_member", `${email} already has access to ${sub.name}`, { errors: [{ field: "email", message: "Already a member of this sub-account" }] });
      }
      if (access) {
        const message = `Already an admin of ${sub.name} as an admin of ${agency.name}`;
        throw new ConflictError("already_has_access", `${email} already has admin access to ${sub.name} through ${agency.name}`, { errors: [{ field: "email", message }] });
      }
    } else {
      const name = (input.name ?? "").trim() || email.split("@")[0];
      const [u] = await tx.insert(users).values({ email, name: name.slice(0, 80), passwordHash: hash }).returning({ id: users.id });
      userId = u.id;
      created = true;
    }
    await tx.insert(memberships).values({ userId, organizationId: sub.id, role });
    const data = { email, role, created };
    await recordAudit(tx, { organizationId: agency.id, actorUserId: actor.userId, action: "sub_account.user_invited", subjectType: "organization", subjectId: sub.id, data });
    await recordAudit(tx, { organizationId: sub.id, actorUserId: actor.userId, action: "sub_account.user_invited", subjectType: "user", subjectId: userId, data });
    const url = `${input.appUrl ?? process.env.APP_URL ?? "http://localhost:3000"}/login`;
    await queueEmail(tx, {
      organizationId: sub.id,
      to: [email],
      subject: `${agency.name} invited you to ${sub.name} on Creditdesk`,
      text: created
        ? `${agency.name} gave you access to ${sub.name}. Sign in with this email address and the temporary password ${agency.name} will give you, then see your credits and usage.`
        : `${agency.name} gave you access to ${sub.name}. Sign in as usual and pick ${sub.name} in the organization switcher.`,
      links: [{ label: "Sign in", url }],
    });
    return { userId, email, role, created, temporaryPassword: created ? temporaryPassword : null };
  });
}
