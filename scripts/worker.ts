/** npm run worker — runs the background jobs (pg-boss) standalone, on DATABASE_URL or the dev database. */
import { createDb } from "@/db/client";
import { startJobs } from "@/lib/jobs";
import { openDevDatabase, runCli } from "./lib/dev-database";

runCli(async () => {
  const database = await openDevDatabase(console.log);
  const db = createDb(database.url, { max: 5 });
  const stop = await startJobs(db);
  console.log("worker: jobs started");
  const shutdown = async () => {
    await stop();
    await db.$client.end({ timeout: 5 });
    await database.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
});
