import { registerJob } from "@/lib/jobs";
import { runAutoRechargeSweep } from "./recharge";

export function registerAutoRechargeJobs(): void {
  registerJob({ name: "auto-recharge-sweep", cron: "* * * * *", handler: (db) => runAutoRechargeSweep(db) });
}
