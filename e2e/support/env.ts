import { readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import bcrypt from "bcryptjs";
import { randomBytes } from "node:crypto";

/** What scripts/e2e-server.ts wrote: the database the app under test uses, and the demo ids. */
export interface E2eEnv {
  databaseUrl: string;
  appUrl: string;
  stripeSandboxUrl: string;
  demo: {
    zetaStudioId: string;
    northwindId: string;
    subAccountIds: string[];
    helpdeskBotId: string;
    codePilotBotId: string;
  };
}

export function e2eEnv(): E2eEnv {
  return JSON.parse(readFileSync(path.join(process.cwd(), ".data", "e2e.json"), "utf8"));
}

let sql: postgres.Sql | undefined;
export function e2eSql(): postgres.Sql {
  sql ??= postgres(e2eEnv().databaseUrl, { max: 2, onnotice: () => {} });
  return sql;
}

export const PASSWORD = "spec-password";
const passwordHash = bcrypt.hashSync(PASSWORD, 4);

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}@spec.test`;
}

/** Seeds an organization with one admin user, for specs that must not share state with others. */
export async function seedOrgWithUser(options: { orgName?: string; kind?: "owner" | "agency"; parentId?: string; email?: string; role?: "admin" | "member" } = {}) {
  const db = e2eSql();
  const email = options.email ?? uniqueEmail("user");
  const [org] = await db`insert into organizations (name, kind, parent_id) values (${options.orgName ?? `Spec Org ${randomBytes(3).toString("hex")}`}, ${options.kind ?? "owner"}, ${options.parentId ?? null}) returning id, name`;
  const [user] = await db`insert into users (email, name, password_hash) values (${email}, ${"Spec User"}, ${passwordHash}) returning id`;
  await db`insert into memberships (user_id, organization_id, role) values (${user.id}, ${org.id}, ${options.role ?? "admin"})`;
  return { orgId: org.id as string, orgName: org.name as string, userId: user.id as string, email, password: PASSWORD };
}
