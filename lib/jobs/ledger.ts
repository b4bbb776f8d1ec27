import { expireBatches, expireHolds } from "@/lib/ledger";
import type { DbOrTx } from "@/db/client";
import { registerJob } from "./index";

export const LEDGER_JOBS = { expireBatches: "ledger-expire-batches", expireHolds: "ledger-expire-holds" } as const;

/** Registers the ledger's schedules: expiry of batches and of holds, every minute. */
export function registerLedgerJobs(): void {
  registerJob({
    name: LEDGER_JOBS.expireBatches,
    cron: "* * * * *",
    handler: (db) => expireAllDueBatches(db),
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

/**
 * Every batch past its expiry, a page of accounts at a time. Pages are counted in accounts: a page can
 * expire nothing (batches spent before their expiry are only marked processed) and still be full.
 */
export async function expireAllDueBatches(db: DbOrTx, options: { now?: Date; pageSize?: number } = {}): Promise<{ expired: number }> {
  const pageSize = options.pageSize ?? 500;
  let total = 0;
  for (;;) {
    const r = await expireBatches(db, { now: options.now, limit: pageSize });
    total += r.expired;
    if (r.accounts < pageSize) return { expired: total };
  }
}
