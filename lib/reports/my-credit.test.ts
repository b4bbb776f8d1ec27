import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { assignCredits, createSubAccount, reclaimCredits } from "@/lib/agency";
import { Credits, getOrCreateOrgAccount, grantBatch } from "@/lib/ledger";
import { getMyCredit } from "./my-credit";

const t = useTestDb();
const DAY = 86_400_000;

/** An agency (Paid 100) that assigned 30 credits to "Harbor Client" and later reclaimed 12 of them. */
async function assignedThenReclaimed() {
  const [agency] = (await t.db.execute(sql`insert into organizations (name, kind) values ('Harbor Agency', 'agency') returning id`)) as unknown as { id: string }[];
  const [admin] = (await t.db.execute(sql`insert into users (email, name, password_hash) values ('harbor@a.test', 'A', 'x') returning id`)) as unknown as { id: string }[];
  await t.db.execute(sql`insert into memberships (user_id, organization_id, role) values (${admin.id}, ${agency.id}, 'admin')`);
  const actor = { userId: admin.id, orgId: agency.id };
  const pool = await getOrCreateOrgAccount(t.db, agency.id);
  const start = Date.now() - 2 * DAY;
  await grantBatch(t.db, { accountId: pool.id, type: "paid", source: "top_up", amount: Credits.of(100), now: new Date(start) });
  const sub = await createSubAccount(t.db, actor, { name: "Harbor Client" });
  await assignCredits(t.db, actor, { subAccountId: sub.id, amount: Credits.of(30), now: new Date(start + DAY) });
  await reclaimCredits(t.db, actor, { subAccountId: sub.id, amount: Credits.of(12), now: new Date(start + DAY + 60_000) });
  return { agencyId: agency.id, subId: sub.id };
}

const lines = (activity: { text: string; delta: string }[]) => activity.map((a) => [a.text, a.delta]);

describe("My Credit activity: assignments and reclaims in words that fit each side", () => {
  it("the sub-account reads that its agency assigned and then reclaimed credits; the agency reads which sub-account it assigned to and reclaimed from", async () => {
    const w = await assignedThenReclaimed();

    const sub = await getMyCredit(t.db, w.subId);
    expect(lines(sub.activity)).toEqual([
      ["Paid credits reclaimed by your agency", "-12"],
      ["Paid credits received from your agency", "30"],
    ]);

    const agency = await getMyCredit(t.db, w.agencyId);
    expect(lines(agency.activity)).toEqual([
      ["Paid credits reclaimed from Harbor Client", "12"],
      ["Paid credits assigned to Harbor Client", "-30"],
      ["Paid credits added · Top-up", "100"],
    ]);
  });
});
