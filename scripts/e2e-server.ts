import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createDb } from "../db/client";
import { runMigrations } from "../db/migrate";
import { seedDemo } from "../db/seed/run";
import { runCli } from "./lib/dev-database";
import { createThrowawayDatabase } from "../db/throwaway";
import { startStripeSandbox } from "./stripe-sandbox/server";

/**
 * The app as Playwright sees it: a fresh database (throwaway embedded cluster, or a new database on
 * DATABASE_URL's server), migrated and seeded, and the production build served by `next start`.
 * Writes .data/e2e.json so specs can seed their own rows in the same database.
 */
const PORT = Number(process.env.E2E_PORT ?? 3100);

runCli(async () => {
  const database = await createThrowawayDatabase("e2e");
  const url = database.url;
  const stopDb = database.stop;
  await runMigrations(url);
  const client = createDb(url, { max: 2 });
  const demo = await seedDemo(client);
  await client.$client.end();

  const webhookSecret = "whsec_e2e_secret";
  const sandbox = await startStripeSandbox({ port: 0, webhookUrl: `http://localhost:${PORT}/api/stripe/webhook`, webhookSecret, retryBaseMs: 200 });

  mkdirSync(".data", { recursive: true });
  writeFileSync(path.join(".data", "e2e.json"), JSON.stringify({ databaseUrl: url, appUrl: `http://localhost:${PORT}`, stripeSandboxUrl: sandbox.url, demo }, null, 2));

  const env = {
    ...process.env,
    DATABASE_URL: url,
    AUTH_SECRET: "e2e-secret-e2e-secret-e2e-secret",
    AUTH_TRUST_HOST: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    APP_URL: `http://localhost:${PORT}`,
    PORT: String(PORT),
    STRIPE_SANDBOX_URL: sandbox.url,
    STRIPE_WEBHOOK_SECRET: webhookSecret,
  };
  if (!existsSync(path.join(".next", "BUILD_ID"))) {
    const build = spawnSync("npx", ["next", "build"], { env, stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
  }
  const server = spawn("npx", ["next", "start", "--port", String(PORT)], { env, stdio: "inherit" });
  const stop = async () => {
    server.kill("SIGTERM");
    await sandbox.stop().catch(() => {});
    await stopDb();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  server.on("exit", () => void stop());
});
