import { beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { useTestDb } from "@/test/db";
import { bots, organizations } from "@/db/schema";
import { getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { grantBatch } from "@/lib/ledger/grant-batch";
import { expireHolds } from "@/lib/ledger/expire-holds";
import { verifyLedger } from "@/lib/ledger/verify";
import { authorize } from "./authorize";
import { settleExpiredFreeHolds } from "./free-reserve";

const t = useTestDb();

beforeAll(() => {
  process.env.DATABASE_URL = t.url;
});

describe("free reserve", () => {
  it("an expired free-visitor hold gives its claim back once, so the visitor may ask again", async () => {
    const [org] = await t.db.insert(organizations).values({ name: "Reserve Co" }).returning();
    const [bot] = await t.db.insert(bots).values({ organizationId: org.id, name: "Free Bot", type: "language_model", freeReservePerPeriod: 1_000_000n, freeAnswersPerVisitorPerDay: 1 }).returning();
    const account = await getOrCreateOrgAccount(t.db, org.id);
    await grantBatch(t.db, { accountId: account.id, type: "paid", source: "top_up", amount: 10_000_000n });
    const ask = () => authorize(t.db, { organizationId: org.id, botId: bot.id, actor: "free_visitor", endUserExternalId: "v1", amount: 400_000n });
    await ask();
    await expect(ask()).rejects.toMatchObject({ code: "free_reserve_exhausted" });

    await expireHolds(t.db, { now: new Date(Date.now() + 16 * 60_000) });
    expect(await settleExpiredFreeHolds(t.db)).toBe(1);
    expect(await settleExpiredFreeHolds(t.db)).toBe(0);
    const [usage] = await t.db.execute<{ used: string; answers: number }>(sql`select used::text, answers from free_reserve_usage where bot_id = ${bot.id}`);
    expect(usage).toEqual({ used: "0", answers: 0 });
    await expect(ask()).resolves.toMatchObject({ status: "held", pool: "free_reserve" });
    expect(await verifyLedger(t.db)).toEqual([]);
  });
});
