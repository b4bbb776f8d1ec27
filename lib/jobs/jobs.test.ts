import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import PgBoss from "pg-boss";
import { useTestDb } from "@/test/db";
import { pgBossAdapter, registeredJobs, startJobs } from "./index";
import { LEDGER_JOBS } from "./ledger";
import { grantBatch, placeHold } from "@/lib/ledger";
import { newOrgAccount } from "@/lib/ledger/test-helpers";

const t = useTestDb();

describe("jobs", () => {
  it("starts pg-boss on our pool, schedules the ledger jobs, and their handlers expire things", async () => {
    const stop = await startJobs(t.db);
    try {
      const names = registeredJobs().map((j) => j.name);
      expect(names).toEqual(expect.arrayContaining([LEDGER_JOBS.expireBatches, LEDGER_JOBS.expireHolds]));
      const schedules = (await t.db.execute(sql`select name, cron from pgboss.schedule order by name`)) as unknown as { name: string; cron: string }[];
      expect(schedules.map((s) => s.name)).toEqual(
        ["auto-recharge-sweep", "billing-plan-collection-sweep", LEDGER_JOBS.expireBatches, LEDGER_JOBS.expireHolds, "metering-settle-expired-free-holds", "notifications-deliver-email", "notifications-expiring-batches"].sort(),
      );
      // run a job through pg-boss end to end
      const { accountId } = await newOrgAccount(t.db);
      const now = new Date();
      await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: 5_000_000n, now });
      await placeHold(t.db, { accountId, amount: 1_000_000n, now: new Date(now.getTime() - 3600_000), expiresAt: new Date(now.getTime() - 1000) }).catch(() => undefined);
      const boss = new PgBoss({ db: pgBossAdapter(t.db), schema: "pgboss", supervise: false, schedule: false } as never);
      await boss.start();
      await boss.send(LEDGER_JOBS.expireHolds, {});
      await boss.stop({ graceful: false, close: false, wait: true } as never);
      let state = "";
      for (let i = 0; i < 50 && state !== "completed"; i++) {
        await new Promise((r) => setTimeout(r, 200));
        const rows = (await t.db.execute(sql`select state::text from pgboss.job where name = ${LEDGER_JOBS.expireHolds} order by created_on desc limit 1`)) as unknown as { state: string }[];
        state = rows[0]?.state ?? "";
      }
      expect(state).toBe("completed");
    } finally {
      await stop();
    }
  });
});
