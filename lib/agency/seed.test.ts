import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { seedDemoOrganizations } from "@/db/seed/index";
import { seedAgencyDemo } from "@/db/seed/agency";
import { verifyLedger } from "@/lib/ledger";
import { listSubAccounts } from "./list-sub-accounts";

const t = useTestDb();

describe("agency demo seed", () => {
  it("Northwind assigns to its three sub-accounts, they use credits, Harbor Solar is out; the ledger verifies", async () => {
    const ids = await seedDemoOrganizations(t.db);
    await seedAgencyDemo(t.db, { northwindId: ids.northwindId, subAccountIds: ids.subAccountIds, agencyUserId: ids.userIds.agency });
    const list = await listSubAccounts(t.db, { userId: ids.userIds.agency, orgId: ids.northwindId });
    const by = Object.fromEntries(list.subAccounts.map((s) => [s.name, s]));
    expect(Object.keys(by).sort()).toEqual(["Bluebird Bakery", "Cedar Dental", "Harbor Solar"]);
    expect(by["Harbor Solar"]).toMatchObject({ balance: "0", creditStatus: "out" });
    expect(by["Bluebird Bakery"]).toMatchObject({ balance: "157.6", creditStatus: "active" }); // 200 − 20 × 2.12
    expect(by["Cedar Dental"]).toMatchObject({ balance: "69", creditStatus: "active" }); // 120 − 20 × 1.55 − 20 reclaimed
    expect(list.agency.available).toBe("710"); // 1050 − 360 + 20
    for (const s of list.subAccounts) expect(s.lastActivityAt).not.toBeNull();
    const notes = await t.db.execute(sql`select organization_id, kind from notifications order by kind`);
    expect(notes).toEqual([
      { organization_id: ids.subAccountIds[2], kind: "out_of_credits" },
      { organization_id: ids.northwindId, kind: "sub_account_out_of_credits" },
    ]);
    expect(await verifyLedger(t.db)).toEqual([]);
  });
});
