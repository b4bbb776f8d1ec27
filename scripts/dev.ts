import { spawn, type ChildProcess } from "node:child_process";
import { z } from "zod";
import { createDb } from "../db/client";
import { portInUse } from "../db/embedded";
import { runMigrations } from "../db/migrate";
import { isDatabaseEmpty } from "../db/seed";
import { seedDemo } from "../db/seed/run";
import { parseEnv } from "../lib/env";
import { startJobs } from "../lib/jobs";
import { printDemoLogins, writeDemoFile } from "./lib/demo-info";
import { openDevDatabase, runCli, StartupError } from "./lib/dev-database";
import { devSecret } from "./lib/secrets";
import { startStripeSandbox } from "./stripe-sandbox/server";

/**
 * `npm run dev`: the one command of the README. Starts (or reuses) a database, migrates, seeds demo data
 * on an empty database, then serves the app with `next dev`. No env vars needed; any that are set are used.
 */
const children: ChildProcess[] = [];
const stops: (() => Promise<void>)[] = [];

runCli(async () => {
  const port = z.coerce.number().int().min(1).max(65535).safeParse(process.env.PORT ?? "3000");
  if (!port.success) throw new StartupError(`PORT must be a port number (1-65535), got "${process.env.PORT}"`);
  if (await portInUse(port.data)) throw new StartupError(`Port ${port.data} is already in use; stop whatever uses it or run with PORT=<free port>.`);

  const database = await openDevDatabase(console.log);
  stops.push(database.stop);
  const appUrl = process.env.APP_URL ?? `http://localhost:${port.data}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    AUTH_SECRET: process.env.AUTH_SECRET ?? devSecret("auth-secret"),
    AUTH_TRUST_HOST: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    APP_URL: appUrl,
    PORT: String(port.data),
  };
  parseEnv(env);

  await runMigrations(database.url);
  const client = createDb(database.url, { max: 2 });
  if (await isDatabaseEmpty(client)) {
    console.log("Empty database: seeding demo data…");
    writeDemoFile(await seedDemo(client));
  }
  await client.$client.end();

  // Background jobs (expiry, holds, recharges, alerts) run in this process on their own small pool.
  const jobsDb = createDb(database.url, { max: 4 });
  const stopJobs = await startJobs(jobsDb);
  stops.push(async () => {
    await stopJobs();
    await jobsDb.$client.end({ timeout: 5 });
  });

  if (!process.env.STRIPE_SECRET_KEY) {
    // Payments run on the local Stripe sandbox: same SDK, same webhooks, offline.
    const sandboxPort = Number(process.env.STRIPE_SANDBOX_PORT ?? 12111);
    if (await portInUse(sandboxPort)) throw new StartupError(`Port ${sandboxPort} (Stripe sandbox) is already in use; stop whatever uses it or set STRIPE_SANDBOX_PORT.`);
    const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET ?? `whsec_${devSecret("stripe-webhook-secret")}`;
    const sandbox = await startStripeSandbox({ port: sandboxPort, webhookUrl: `${appUrl}/api/stripe/webhook`, webhookSecret, stateFile: ".data/stripe-sandbox.json" });
    stops.push(() => sandbox.stop());
    env.STRIPE_SANDBOX_URL = sandbox.url;
    env.STRIPE_WEBHOOK_SECRET = webhookSecret;
    console.log(`Stripe sandbox running at ${sandbox.url} (test card 4242 4242 4242 4242)`);
  }

  const next = spawn("npx", ["next", "dev", "--port", String(port.data)], { env, stdio: "inherit" });
  children.push(next);
  next.on("exit", (code) => shutdown(code ?? 0));

  console.log("");
  console.log(`Creditdesk is starting at ${appUrl}`);
  printDemoLogins();
  console.log("");
});

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  for (const stop of stops.reverse()) await stop().catch(() => {});
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
