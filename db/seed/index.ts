import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { bots, memberships, organizations, users } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";

export const DEMO_PASSWORD = "demo-password";
export const DEMO_USERS = {
  owner: "owner@demo.test",
  agency: "agency@demo.test",
  sub: "sub@demo.test",
  admin: "admin@demo.test",
} as const;

export interface DemoIds {
  zetaStudioId: string;
  northwindId: string;
  subAccountIds: string[];
  helpdeskBotId: string;
  codePilotBotId: string;
  userIds: Record<keyof typeof DEMO_USERS, string>;
}

export async function isDatabaseEmpty(database: Db): Promise<boolean> {
  const rows = await database.execute<{ n: number }>(sql`select count(*)::int as n from organizations`);
  return rows[0].n === 0;
}

/**
 * The demo world of the README: an owner org with a language-model and a coding bot, an agency with
 * three sub-accounts, and one user per role. Later domains extend it (see the seed steps in scripts/db-seed.ts).
 */
export async function seedDemoOrganizations(database: Db): Promise<DemoIds> {
  return database.transaction(async (tx) => {
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const [zeta] = await tx.insert(organizations).values({ name: "Zeta Studio", kind: "owner", billingEmail: "billing@zeta.test" }).returning();
    const [northwind] = await tx.insert(organizations).values({ name: "Northwind Agency", kind: "agency", billingEmail: "billing@northwind.test" }).returning();
    const subs = await tx
      .insert(organizations)
      .values(["Bluebird Bakery", "Cedar Dental", "Harbor Solar"].map((name) => ({ name, kind: "owner" as const, parentId: northwind.id })))
      .returning();

    const userRows = await tx
      .insert(users)
      .values([
        { email: DEMO_USERS.owner, name: "Olivia Owner", passwordHash },
        { email: DEMO_USERS.agency, name: "Aaron Agency", passwordHash },
        { email: DEMO_USERS.sub, name: "Sam Sub", passwordHash },
        { email: DEMO_USERS.admin, name: "Ada Admin", passwordHash, isPlatformAdmin: true },
      ])
      .returning();
    const byEmail = Object.fromEntries(userRows.map((u) => [u.email, u.id]));

    await tx.insert(memberships).values([
      { userId: byEmail[DEMO_USERS.owner], organizationId: zeta.id, role: "admin" },
      { userId: byEmail[DEMO_USERS.agency], organizationId: northwind.id, role: "admin" },
      { userId: byEmail[DEMO_USERS.sub], organizationId: subs[0].id, role: "admin" },
      { userId: byEmail[DEMO_USERS.admin], organizationId: zeta.id, role: "member" },
    ]);

    const [helpdesk, codePilot] = await tx
      .insert(bots)
      .values([
        // Free reserves, so the demo's free-visitor answers have a reserve to come from.
        { organizationId: zeta.id, name: "Helpdesk", type: "language_model", freeReservePerPeriod: 25_000_000n, freeAnswersPerVisitorPerDay: 5 },
        { organizationId: zeta.id, name: "CodePilot", type: "coding", freeReservePerPeriod: 10_000_000n, freeAnswersPerVisitorPerDay: 3 },
      ])
      .returning();
    await tx.insert(bots).values([
      { organizationId: subs[0].id, name: "Bakery Assistant", type: "language_model" },
      { organizationId: subs[1].id, name: "Dental Front Desk", type: "language_model" },
      { organizationId: subs[2].id, name: "Solar Advisor", type: "language_model" },
    ]);

    return {
      zetaStudioId: zeta.id,
      northwindId: northwind.id,
      subAccountIds: subs.map((s) => s.id),
      helpdeskBotId: helpdesk.id,
      codePilotBotId: codePilot.id,
      userIds: {
        owner: byEmail[DEMO_USERS.owner],
        agency: byEmail[DEMO_USERS.agency],
        sub: byEmail[DEMO_USERS.sub],
        admin: byEmail[DEMO_USERS.admin],
      },
    };
  });
}
