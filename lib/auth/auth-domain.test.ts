import { describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { seedDemoOrganizations, DEMO_PASSWORD, DEMO_USERS } from "@/db/seed";
import { verifyCredentials } from "./verify-credentials";
import { findOrgAccess, listAccessibleOrgs } from "./org-access";
import { MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_IP } from "./login-rate-limit";

const t = useTestDb();

describe("auth against real Postgres", () => {
  it("verifies the demo password, case-insensitively on email, and rejects a wrong one", async () => {
    const ids = await seedDemoOrganizations(t.db);
    const ok = await verifyCredentials(t.db, { email: "OWNER@demo.test", password: DEMO_PASSWORD }, "1.1.1.1");
    expect(ok).toEqual({ ok: true, user: expect.objectContaining({ id: ids.userIds.owner, email: DEMO_USERS.owner }) });
    expect(await verifyCredentials(t.db, { email: DEMO_USERS.owner, password: "nope" }, "1.1.1.1")).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyCredentials(t.db, { email: "nobody@demo.test", password: "x" }, "1.1.1.1")).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyCredentials(t.db, { email: "not an email", password: "x" }, "1.1.1.1")).toEqual({ ok: false, reason: "invalid" });
  });

  it("locks an email after too many failures, even for the right password", async () => {
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) {
      await verifyCredentials(t.db, { email: DEMO_USERS.sub, password: `wrong-${i}` }, `10.0.0.${i}`);
    }
    expect(await verifyCredentials(t.db, { email: DEMO_USERS.sub, password: DEMO_PASSWORD }, "10.0.1.1")).toEqual({ ok: false, reason: "rate_limited" });
    // Another user on the same IPs is not affected by this email's lock.
    expect((await verifyCredentials(t.db, { email: DEMO_USERS.agency, password: DEMO_PASSWORD }, "10.0.0.1")).ok).toBe(true);
  });

  it("locks an IP that sprays many emails", async () => {
    for (let i = 0; i < MAX_FAILURES_PER_IP; i++) {
      await verifyCredentials(t.db, { email: `spray${i}@x.test`, password: "x" }, "6.6.6.6");
    }
    expect(await verifyCredentials(t.db, { email: DEMO_USERS.admin, password: DEMO_PASSWORD }, "6.6.6.6")).toEqual({ ok: false, reason: "rate_limited" });
    expect((await verifyCredentials(t.db, { email: DEMO_USERS.admin, password: DEMO_PASSWORD }, "7.7.7.7")).ok).toBe(true);
  });

  it("lets an agency admin into its sub-accounts but not a sub-account user into siblings or the agency", async () => {
    const [{ id: agencyUser }] = await t.db.query.users.findMany({ where: (u, { eq }) => eq(u.email, DEMO_USERS.agency) });
    const [{ id: subUser }] = await t.db.query.users.findMany({ where: (u, { eq }) => eq(u.email, DEMO_USERS.sub) });
    const [{ id: ownerUser }] = await t.db.query.users.findMany({ where: (u, { eq }) => eq(u.email, DEMO_USERS.owner) });
    const agencyOrgs = await listAccessibleOrgs(t.db, agencyUser);
    expect(agencyOrgs.map((o) => o.name)).toEqual(["Northwind Agency", "Bluebird Bakery", "Cedar Dental", "Harbor Solar"]);
    expect(agencyOrgs.filter((o) => o.via === "agency")).toHaveLength(3);

    const subOrgs = await listAccessibleOrgs(t.db, subUser);
    expect(subOrgs.map((o) => o.name)).toEqual(["Bluebird Bakery"]);
    const northwind = agencyOrgs[0];
    const cedar = agencyOrgs[2];
    expect(await findOrgAccess(t.db, subUser, northwind.id)).toBeNull();
    expect(await findOrgAccess(t.db, subUser, cedar.id)).toBeNull();
    expect(await findOrgAccess(t.db, agencyUser, cedar.id)).toMatchObject({ role: "admin", via: "agency" });
    expect(await findOrgAccess(t.db, ownerUser, cedar.id)).toBeNull();
  });
});
