import { startStripeSandbox } from "./server";

/**
 * `tsx scripts/stripe-sandbox/main.ts` — the sandbox for `npm run dev`.
 * Env: STRIPE_SANDBOX_PORT (12111), STRIPE_WEBHOOK_URL, STRIPE_WEBHOOK_SECRET (whsec_sandbox),
 * STRIPE_SANDBOX_PUBLIC_URL, STRIPE_SANDBOX_STATE_FILE (.data/stripe-sandbox.json; "" to keep state in memory).
 */
const port = Number(process.env.STRIPE_SANDBOX_PORT ?? 12111);
const stateFile = process.env.STRIPE_SANDBOX_STATE_FILE ?? ".data/stripe-sandbox.json";

async function main() {
  if (stateFile) {
    const { mkdirSync } = await import("node:fs");
    const { dirname } = await import("node:path");
    mkdirSync(dirname(stateFile), { recursive: true });
  }
  const sandbox = await startStripeSandbox({
    port,
    host: process.env.STRIPE_SANDBOX_HOST ?? "127.0.0.1",
    webhookUrl: process.env.STRIPE_WEBHOOK_URL || undefined,
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET || "whsec_sandbox",
    publicUrl: process.env.STRIPE_SANDBOX_PUBLIC_URL || undefined,
    stateFile: stateFile || undefined,
    log: true,
  });
  const shutdown = () => {
    void sandbox.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error) => {
  console.error(`[stripe-sandbox] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
