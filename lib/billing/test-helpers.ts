import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { bots, endUsers, organizations } from "@/db/schema";
import { startStripeSandbox, type StripeSandbox } from "@/scripts/stripe-sandbox/server";
import { getOrCreateEndUserAccount } from "@/lib/ledger/accounts";
import { Credits } from "@/lib/ledger/credits";
import { createEndUserPack, createEndUserPlan } from "./offers";
import { createStripeClient } from "./stripe";
import { processStripeWebhook, type WebhookResponse } from "./webhooks/dispatch";

export const TEST_WEBHOOK_SECRET = "whsec_billing_test";

/**
 * A sandbox whose webhooks go to a local endpoint running the app's real webhook processing against the
 * test database. `responses` records what the app answered; `pause()` stops forwarding (events then pile up
 * as failed deliveries that the sandbox retries), for out-of-order tests use `sandbox.events()` + `deliver()`.
 */
export interface BillingHarness {
  sandbox: StripeSandbox;
  stripe: Stripe;
  responses: { eventId: string; type: string; status: number; body: Record<string, unknown> }[];
  control(path: string, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Signs and processes one event as Stripe would deliver it (or with a bad signature). */
  deliver(event: unknown, options?: { secret?: string; tamper?: boolean }): Promise<WebhookResponse>;
  /** Stop / resume sending webhooks to the app (events are still recorded in `sandbox.events()`). */
  detach(): void;
  attach(): void;
  /** Waits until the sandbox has no delivery pending. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBillingHarness(getDb: () => Db, options: { webhooks?: boolean } = {}): Promise<BillingHarness> {
  const sandbox = await startStripeSandbox({ webhookSecret: TEST_WEBHOOK_SECRET, retryBaseMs: 20, shuffleWindowMs: 30, maxDeliveryAttempts: 6 });
  const stripe = createStripeClient({ sandboxUrl: sandbox.url, maxNetworkRetries: 0 });
  const responses: BillingHarness["responses"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      try {
        const result = await processStripeWebhook(getDb(), { rawBody, signature: String(req.headers["stripe-signature"] ?? ""), secret: TEST_WEBHOOK_SECRET, stripe });
        const parsed = JSON.parse(rawBody);
        responses.push({ eventId: parsed.id, type: parsed.type, status: result.status, body: result.body });
        res.writeHead(result.status, { "content-type": "application/json" }).end(JSON.stringify(result.body));
      } catch (error) {
        res.writeHead(500).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/stripe/webhook`;
  if (options.webhooks !== false) sandbox.setWebhookUrl(url);
  return {
    sandbox,
    stripe,
    responses,
    async control(path, body = {}) {
      const res = await fetch(`${sandbox.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    },
    async deliver(event, opts = {}) {
      const payload = JSON.stringify(event);
      const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? TEST_WEBHOOK_SECRET });
      const rawBody = opts.tamper ? payload.replace(/"livemode":false/, '"livemode":true') : payload;
      return processStripeWebhook(getDb(), { rawBody, signature, secret: TEST_WEBHOOK_SECRET, stripe });
    },
    detach: () => sandbox.setWebhookUrl(undefined),
    attach: () => sandbox.setWebhookUrl(url),
    idle: () => sandbox.idle(),
    async stop() {
      await sandbox.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An owner organization with one bot and one end user of it. */
export async function seedBillingWorld(db: Db, name = "Billing Org") {
  const [org] = await db.insert(organizations).values({ name, kind: "owner", billingEmail: "billing@example.test" }).returning();
  const [bot] = await db.insert(bots).values({ organizationId: org.id, name: `${name} Bot`, type: "language_model" }).returning();
  const [endUser] = await db.insert(endUsers).values({ botId: bot.id, externalId: `visitor-${org.id.slice(0, 8)}`, email: "visitor@example.test" }).returning();
  return { orgId: org.id, botId: bot.id, endUserId: endUser.id };
}

export async function batchCount(db: Db, accountId: string): Promise<number> {
  const rows = (await db.execute(sql`select count(*)::int as n from batches where account_id = ${accountId}`)) as unknown as { n: number }[];
  return rows[0].n;
}

/** seedBillingWorld whose bot sells its visitors a 500-credit pack with a 50-credit bonus (30 days) for $15.00. */
export async function seedPackWorld(db: Db, name: string) {
  const w = await seedBillingWorld(db, name);
  const pack = await createEndUserPack(db, {
    organizationId: w.orgId,
    botId: w.botId,
    name: "500 credits",
    priceMinor: 1500,
    currency: "usd",
    credits: Credits.of(500),
    bonusCredits: Credits.of(50),
    bonusExpiresInDays: 30,
  });
  const account = await getOrCreateEndUserAccount(db, { organizationId: w.orgId, botId: w.botId, endUserId: w.endUserId });
  return { ...w, pack, accountId: account.id };
}

/** seedBillingWorld whose bot sells its visitors a plan of 300 credits a month for $9.00 (no rollover), unless told otherwise. */
export async function seedPlanWorld(db: Db, name: string, plan: { name?: string; priceMinor?: number; interval?: "day" | "week" | "month" | "year"; credits?: bigint; rollover?: boolean } = {}) {
  const w = await seedBillingWorld(db, name);
  const created = await createEndUserPlan(db, {
    organizationId: w.orgId,
    botId: w.botId,
    name: plan.name ?? "Monthly",
    priceMinor: plan.priceMinor ?? 900,
    currency: "usd",
    interval: plan.interval ?? "month",
    creditsPerPeriod: plan.credits ?? Credits.of(300),
    rollover: plan.rollover ?? false,
  });
  const account = await getOrCreateEndUserAccount(db, { organizationId: w.orgId, botId: w.botId, endUserId: w.endUserId });
  return { ...w, plan: created, accountId: account.id };
}
