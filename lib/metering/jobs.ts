import { registerJob } from "@/lib/jobs";
import { settleExpiredFreeHolds } from "./free-reserve";

export function registerMeteringJobs(): void {
  registerJob({ name: "metering-settle-expired-free-holds", cron: "* * * * *", handler: (db) => settleExpiredFreeHolds(db) });
}
