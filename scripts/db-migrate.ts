import { runMigrations } from "../db/migrate";
import { openDevDatabase, runCli } from "./lib/dev-database";

runCli(async () => {
  const database = await openDevDatabase(console.log);
  await runMigrations(database.url);
  console.log("Migrations applied.");
  await database.stop();
});
