import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { createStripeClient } from "../../lib/billing/stripe";
import { startStripeSandbox, type StripeSandbox, type StripeSandboxOptions } from "./server";

export const WEBHOOK_SECRET = "whsec_test_sandbox_secret";

/**
 * A webhook endpoint for tests: verifies each delivery with the SDK's `constructEvent` (as the app does) and
 * records it. `failNext` makes the next N deliveries answer 500.
 */
export class Receiver {
  readonly events: Stripe.Event[] = [];
  readonly rejected: string[] = [];
  failNext = 0;
  requests = 0;
  private waiters: Array<() => void> = [];
  private server!: Server;
  url = "";

  constructor(private readonly stripe: Stripe) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.requests++;
        if (this.failNext > 0) {
          this.failNext--;
          res.writeHead(500).end("boom");
          return;
        }
        try {
          const event = this.stripe.webhooks.constructEvent(Buffer.concat(chunks), String(req.headers["stripe-signature"]), WEBHOOK_SECRET);
          this.events.push(event);
          res.writeHead(200, { "content-type": "application/json" }).end('{"received":true}');
        } catch (error) {
          this.rejected.push(String(error));
          res.writeHead(400).end("bad signature");
        }
        for (const w of this.waiters.splice(0)) w();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhook`;
    return this;
  }

  ofType(type: string): Stripe.Event[] {
    return this.events.filter((e) => e.type === type);
  }

  /** Waits until an event of this type (matching `where`) has arrived. */
  async waitFor<T extends Stripe.Event["type"]>(type: T, where: (e: Extract<Stripe.Event, { type: T }>) => boolean = () => true, timeoutMs = 5000): Promise<Extract<Stripe.Event, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e): e is Extract<Stripe.Event, { type: T }> => e.type === type && where(e as Extract<Stripe.Event, { type: T }>));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${type}; got ${this.events.map((e) => e.type).join(", ")}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  clear(): void {
    this.events.length = 0;
    this.rejected.length = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface Harness {
  sandbox: StripeSandbox;
  stripe: Stripe;
  receiver: Receiver;
  /** POST a JSON body to a sandbox control endpoint. */
  control(path: string, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

export async function startHarness(options: Partial<StripeSandboxOptions> = {}): Promise<Harness> {
  const sandbox = await startStripeSandbox({ webhookSecret: WEBHOOK_SECRET, retryBaseMs: 20, shuffleWindowMs: 30, ...options });
  const stripe = createStripeClient({ sandboxUrl: sandbox.url, maxNetworkRetries: 0 });
  const receiver = await new Receiver(stripe).start();
  sandbox.setWebhookUrl(receiver.url);
  return {
    sandbox,
    stripe,
    receiver,
    async control(path, body = {}) {
      const res = await fetch(`${sandbox.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    },
    async stop() {
      await sandbox.stop();
      await receiver.stop();
    },
  };
}

export function packSession(stripe: Stripe, extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  return stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [{ price_data: { currency: "usd", unit_amount: 1500, product_data: { name: "500 credits" } }, quantity: 1 }],
    success_url: "http://app.test/success?session_id={CHECKOUT_SESSION_ID}",
    cancel_url: "http://app.test/cancel",
    customer_email: "owner@example.com",
    metadata: { pack_id: "pack_500" },
    client_reference_id: "org_1",
    ...extra,
  });
}
