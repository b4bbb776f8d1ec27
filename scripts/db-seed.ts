import { createDb } from "../db/client";
import { runMigrations } from "../db/migrate";
import { isDatabaseEmpty } from "../db/seed";
import { seedDemo } from "../db/seed/run";
import { openDevDatabase, runCli } from "./lib/dev-database";
import { printDemoLogins, writeDemoFile } from "./lib/demo-info";

runCli(async () => {
  const database = await openDevDatabase(console.log);
  await runMigrations(database.url);
  const client = createDb(database.url, { max: 4 });
  try {
    if (!(await isDatabaseEmpty(client))) {
      console.log("The database already has data; seed skipped. (Drop the database or delete .data/ to start over.)");
      return;
    }
    writeDemoFile(await seedDemo(client));
    console.log("Demo data seeded.");
    printDemoLogins();
  } finally {
    await client.$client.end();
    await database.stop();
  }
});
