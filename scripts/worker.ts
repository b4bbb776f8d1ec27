/** npm run worker — runs the background jobs (pg-boss) standalone. */
import { createDb } from "@/db/client";
import { startJobs } from "@/lib/jobs";

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error("worker: DATABASE_URL is not set");
    process.exit(2);
  }
  const db = createDb(url, { max: 5 });
  const stop = await startJobs(db);
  console.log("worker: jobs started (ledger expiry every minute)");
  const shutdown = async () => {
    await stop();
    await db.$client.end({ timeout: 5 });
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((e) => {
  console.error("worker failed:", e);
  process.exit(1);
});
