import Stripe from "stripe";
import { z } from "zod";

/**
 * The one place the app gets a Stripe client. With STRIPE_SECRET_KEY it is real Stripe; without it, the same
 * SDK pointed at the local sandbox (scripts/stripe-sandbox), so dev, tests and demos run the real code path.
 * Reads process.env directly (not env()) so it also works where DATABASE_URL is absent, e.g. sandbox tests.
 */
export const DEFAULT_SANDBOX_URL = "http://127.0.0.1:12111";
/** The key the sandbox is called with; any sk_test_ key is accepted there. */
export const SANDBOX_SECRET_KEY = "sk_test_sandbox";

const stripeEnvSchema = z.object({
  STRIPE_SECRET_KEY: z.string().startsWith("sk_", "must start with sk_").optional(),
  STRIPE_SANDBOX_URL: z.url().optional(),
});

function readStripeEnv(source: Record<string, string | undefined>) {
  // Empty strings (a blank line in .env) mean "not set", not "invalid".
  const cleaned = Object.fromEntries(Object.entries({ STRIPE_SECRET_KEY: source.STRIPE_SECRET_KEY, STRIPE_SANDBOX_URL: source.STRIPE_SANDBOX_URL }).filter(([, v]) => v));
  const parsed = stripeEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
    throw new Error(`Invalid environment: ${problems.join("; ")}`);
  }
  return parsed.data;
}

export interface StripeClientOptions {
  /** Real Stripe when set. */
  secretKey?: string;
  /** Sandbox base URL (used only without secretKey). */
  sandboxUrl?: string;
  maxNetworkRetries?: number;
  timeoutMs?: number;
}

export function createStripeClient(options: StripeClientOptions = {}): Stripe {
  const maxNetworkRetries = options.maxNetworkRetries ?? 2;
  const appInfo = { name: "Creditdesk" };
  if (options.secretKey) {
    return new Stripe(options.secretKey, { maxNetworkRetries, timeout: options.timeoutMs, appInfo });
  }
  const url = new URL(options.sandboxUrl ?? DEFAULT_SANDBOX_URL);
  const protocol = url.protocol === "https:" ? "https" : "http";
  return new Stripe(SANDBOX_SECRET_KEY, {
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === "https" ? 443 : 80,
    protocol,
    maxNetworkRetries,
    timeout: options.timeoutMs ?? 10_000,
    // Telemetry headers describe calls to api.stripe.com; they mean nothing to the sandbox.
    telemetry: false,
    appInfo,
  });
}

/** True when no STRIPE_SECRET_KEY is configured: payments go to the local sandbox (show a test-mode banner). */
export function isSandbox(source: Record<string, string | undefined> = process.env): boolean {
  return !readStripeEnv(source).STRIPE_SECRET_KEY;
}

/** Base URL of the sandbox the app talks to (meaningful only when isSandbox()). */
export function sandboxUrl(source: Record<string, string | undefined> = process.env): string {
  return readStripeEnv(source).STRIPE_SANDBOX_URL ?? DEFAULT_SANDBOX_URL;
}

let cached: { key: string; client: Stripe } | undefined;

/** A shared client for the current environment; rebuilt if the relevant env vars change (tests flip them). */
export function getStripe(): Stripe {
  const env = readStripeEnv(process.env);
  const key = `${env.STRIPE_SECRET_KEY ?? ""}|${env.STRIPE_SANDBOX_URL ?? ""}`;
  if (!cached || cached.key !== key) {
    cached = { key, client: createStripeClient({ secretKey: env.STRIPE_SECRET_KEY, sandboxUrl: env.STRIPE_SANDBOX_URL }) };
  }
  return cached.client;
}
