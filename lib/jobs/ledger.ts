import { expireBatches, expireHolds } from "@/lib/ledger";
import { registerJob } from "./index";

export const LEDGER_JOBS = { expireBatches: "ledger-expire-batches", expireHolds: "ledger-expire-holds" } as const;

/** Registers the ledger's schedules: expiry of batches and of holds, every minute. */
export function registerLedgerJobs(): void {
  registerJob({
    name: LEDGER_JOBS.expireBatches,
    cron: "* * * * *",
    handler: async (db) => {
      let total = 0;
      for (;;) {
        const r = await expireBatches(db, { limit: 500 });
        total += r.expired;
        if (r.expired < 500) break;
      }
      return { expired: total };
    },
  });
  registerJob({
    name: LEDGER_JOBS.expireHolds,
    cron: "* * * * *",
    handler: async (db) => {
      let total = 0;
      for (;;) {
        const r = await expireHolds(db, { limit: 500 });
        total += r.expired;
        if (r.expired < 500) break;
      }
      return { expired: total };
    },
  });
}
