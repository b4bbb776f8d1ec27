import { registerJob } from "@/lib/jobs";
import { deliverQueuedEmails } from "./mailer";
import { notifyExpiringBatches } from "./expiring-batches";

/** Mail goes out from a job, never from the request that caused it. */
export function registerNotificationJobs(): void {
  registerJob({ name: "notifications-deliver-email", cron: "* * * * *", handler: (db) => deliverQueuedEmails(db) });
  registerJob({ name: "notifications-expiring-batches", cron: "17 * * * *", handler: (db) => notifyExpiringBatches(db) });
}
