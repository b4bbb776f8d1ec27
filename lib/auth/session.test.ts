import { sql } from "drizzle-orm";
import { z } from "zod";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { useTestDb } from "@/test/db";
import type { Db } from "@/db/client";
import { NotFoundError } from "@/lib/errors";

// What a request carries: the session token next-auth decoded (as signed at sign-in, up to 7 days ago) and
// the switcher's cookie. Everything else (users, memberships) comes from the test database.
const request = vi.hoisted(() => ({
  session: null as null | { user: { id: string; email: string; name: string; isPlatformAdmin?: boolean } },
  cookies: new Map<string, string>(),
}));
vi.mock("./auth", () => ({ auth: async () => request.session }));
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: (name: string) => (request.cookies.has(name) ? { name, value: request.cookies.get(name)! } : undefined) }),
}));

const { orgAction } = await import("./action");
const { CURRENT_ORG_COOKIE, getSessionUser, requirePlatformAdmin } = await import("./context");

const t = useTestDb();
const app = globalThis as unknown as { __creditdeskDb?: Db };

beforeAll(() => {
  // db() in lib/auth/context.ts is the app's shared pool: point it at this file's database.
  app.__creditdeskDb = t.db;
});
afterAll(() => {
  delete app.__creditdeskDb;
});
beforeEach(() => {
  request.session = null;
  request.cookies.clear();
});

async function q<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return (await t.db.execute(query)) as unknown as T[];
}

let seq = 0;
async function newUser(admin = false) {
  const email = `u${++seq}@session.test`;
  const [u] = await q<{ id: string }>(sql`insert into users (email, name, password_hash, is_platform_admin) values (${email}, 'U', 'x', ${admin}) returning id`);
  return { id: u.id, email, name: "U" };
}
async function newOrg(name: string) {
  const [o] = await q<{ id: string }>(sql`insert into organizations (name, kind) values (${name}, 'owner') returning id`);
  return o.id;
}
async function member(userId: string, orgId: string, role: "admin" | "member") {
  await q(sql`insert into memberships (user_id, organization_id, role) values (${userId}, ${orgId}, ${role})`);
}
function signIn(user: { id: string; email: string; name: string }, tokenSaysAdmin = false) {
  request.session = { user: { ...user, isPlatformAdmin: tokenSaysAdmin } };
}

describe("platform admin", () => {
  it("a platform admin whose flag is revoked in the database is refused at once, though their session still says admin", async () => {
    const user = await newUser(true);
    signIn(user, true);
    expect(await requirePlatformAdmin()).toMatchObject({ id: user.id, isPlatformAdmin: true });
    await q(sql`update users set is_platform_admin = false where id = ${user.id}`);
    // The same session token (signed when they were an admin) is presented again.
    await expect(requirePlatformAdmin()).rejects.toBeInstanceOf(NotFoundError);
    // What the admin pages read (`getSessionUser().isPlatformAdmin`) is the database's flag too.
    expect((await getSessionUser())?.isPlatformAdmin).toBe(false);
  });

  it("a flag granted after sign-in counts at once; a deleted user's session is no session", async () => {
    const user = await newUser(false);
    signIn(user, false);
    await expect(requirePlatformAdmin()).rejects.toBeInstanceOf(NotFoundError);
    await q(sql`update users set is_platform_admin = true where id = ${user.id}`);
    expect((await requirePlatformAdmin()).id).toBe(user.id);
    await q(sql`delete from users where id = ${user.id}`);
    expect(await getSessionUser()).toBeNull();
  });
});

describe("orgAction acts in the organization the form was rendered for", () => {
  const seen: { orgId: string; role: string; input: unknown }[] = [];
  const action = orgAction(z.object({ name: z.string() }), async (input, ctx) => {
    seen.push({ orgId: ctx.org.id, role: ctx.role, input });
    return ctx.org.id;
  });
  const adminAction = orgAction(z.object({}), async (_input, ctx) => ctx.org.id, { role: "admin" });

  function form(fields: Record<string, string>) {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.set(k, v);
    return fd;
  }

  it("posted for org A while the cookie says org B: acts in A when the user is a member of A", async () => {
    const user = await newUser();
    const a = await newOrg("Tab A");
    const b = await newOrg("Tab B");
    await member(user.id, a, "member");
    await member(user.id, b, "admin");
    signIn(user);
    request.cookies.set(CURRENT_ORG_COOKIE, b);
    seen.length = 0;
    expect(await action(form({ _org: a, name: "x" }))).toEqual({ ok: true, data: a });
    expect(seen).toEqual([{ orgId: a, role: "member", input: { name: "x" } }]);
    // Object inputs (buttons calling the action directly) carry it the same way.
    expect(await action({ _org: a, name: "y" })).toEqual({ ok: true, data: a });
    // The role is checked in A, not in B where the user is an admin.
    expect(await adminAction(form({ _org: a }))).toMatchObject({ ok: false, error: expect.stringContaining("Only an admin") });
    expect(await adminAction(form({ _org: b }))).toEqual({ ok: true, data: b });
    // Without `_org` the cookie's org is not guessed at: the form is asked to reload, and nothing runs.
    seen.length = 0;
    expect(await action(form({ name: "z" }))).toMatchObject({ ok: false, error: expect.stringContaining("reload") });
    expect(seen).toEqual([]);
  });

  it("posted for an org the user cannot see: refused whatever the cookie says, and nothing runs", async () => {
    const user = await newUser();
    const mine = await newOrg("Mine");
    const theirs = await newOrg("Theirs");
    await member(user.id, mine, "admin");
    signIn(user);
    request.cookies.set(CURRENT_ORG_COOKIE, mine);
    seen.length = 0;
    expect(await action(form({ _org: theirs, name: "x" }))).toEqual({ ok: false, error: "Organization not found" });
    expect(await action(form({ _org: "garbage", name: "x" }))).toEqual({ ok: false, error: "Organization not found" });
    expect(await action(form({ _org: "", name: "x" }))).toEqual({ ok: false, error: "Organization not found" });
    expect(seen).toEqual([]);
    expect(await action(form({ _org: mine, name: "x" }))).toEqual({ ok: true, data: mine });
  });
});
