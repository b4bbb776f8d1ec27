import { registerJob } from "@/lib/jobs";
import { syncAllPlanCollections } from "./pause-subscriptions";

export function registerBillingJobs(): void {
  // Retries pausing/resuming suspended organizations' plan subscriptions at Stripe (see pause-subscriptions.ts).
  registerJob({ name: "billing-plan-collection-sweep", cron: "* * * * *", handler: (db) => syncAllPlanCollections(db) });
}
