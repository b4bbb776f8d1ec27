import { createHmac } from "node:crypto";
import { wallNow } from "./clock";
import type { StripeObject } from "./state";

export interface DeliveryMode {
  /** Send every event twice (same id), as Stripe may. */
  duplicate: boolean;
  /** Hold events for `shuffleWindowMs` and send that batch in random order. */
  shuffle: boolean;
  /** The first N attempts of every event fail without reaching the endpoint (as if it were down). */
  failFirst: number;
}

export interface DeliveryAttempt {
  event_id: string;
  type: string;
  attempt: number;
  url: string;
  status: number | null;
  ok: boolean;
  error?: string;
  at: string;
}

export interface DispatcherOptions {
  secret: string;
  url?: string;
  maxAttempts?: number;
  retryBaseMs?: number;
  shuffleWindowMs?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** `Stripe-Signature` exactly as Stripe builds it, so `stripe.webhooks.constructEvent` accepts it. */
export function signPayload(payload: string, secret: string, timestamp = wallNow()): string {
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${v1}`;
}

interface Job {
  event: StripeObject;
  attempt: number;
}

/**
 * Sends events to one endpoint. First attempts go out one at a time in creation order; a failed event is
 * retried later with exponential backoff (bounded) without holding back the events behind it, which is also
 * how Stripe behaves and why the app must be out-of-order safe.
 */
export class WebhookDispatcher {
  url: string | undefined;
  mode: DeliveryMode = { duplicate: false, shuffle: false, failFirst: 0 };
  readonly attempts: DeliveryAttempt[] = [];
  private readonly secret: string;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly shuffleWindowMs: number;
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  private queue: Job[] = [];
  private shuffleBuffer: Job[] = [];
  private shuffleTimer: NodeJS.Timeout | undefined;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private pumping = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(options: DispatcherOptions) {
    this.secret = options.secret;
    this.url = options.url;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.shuffleWindowMs = options.shuffleWindowMs ?? 50;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.log = options.log ?? (() => {});
  }

  enqueue(event: StripeObject): void {
    if (!this.url || this.stopped) return;
    const jobs: Job[] = [{ event, attempt: 1 }];
    if (this.mode.duplicate) jobs.push({ event, attempt: 1 });
    if (this.mode.shuffle) {
      this.shuffleBuffer.push(...jobs);
      this.shuffleTimer ??= setTimeout(() => this.flushShuffle(), this.shuffleWindowMs);
      return;
    }
    this.queue.push(...jobs);
    this.kick();
  }

  /** Resolves once nothing is queued, in flight, buffered or waiting for a retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  clear(): void {
    this.queue = [];
    this.shuffleBuffer = [];
    if (this.shuffleTimer) clearTimeout(this.shuffleTimer);
    this.shuffleTimer = undefined;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    this.attempts.length = 0;
    this.notifyIdle();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private isIdle(): boolean {
    return !this.pumping && this.queue.length === 0 && this.shuffleBuffer.length === 0 && this.retryTimers.size === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private flushShuffle(): void {
    this.shuffleTimer = undefined;
    const batch = this.shuffleBuffer;
    this.shuffleBuffer = [];
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [batch[i], batch[j]] = [batch[j], batch[i]];
    }
    this.queue.push(...batch);
    this.kick();
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = true;
    // Deliver after the current API response has been written, like Stripe's asynchronous sends.
    setImmediate(() => void this.pump());
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const job = this.queue.shift()!;
      const ok = await this.attempt(job);
      if (!ok && job.attempt < this.maxAttempts && !this.stopped) {
        const delay = this.retryBaseMs * 2 ** (job.attempt - 1);
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          this.queue.push({ event: job.event, attempt: job.attempt + 1 });
          this.kick();
        }, delay);
        this.retryTimers.add(timer);
      }
    }
    this.pumping = false;
    this.notifyIdle();
  }

  private async attempt(job: Job): Promise<boolean> {
    const url = this.url;
    const record: DeliveryAttempt = {
      event_id: job.event.id,
      type: job.event.type,
      attempt: job.attempt,
      url: url ?? "",
      status: null,
      ok: false,
      at: new Date().toISOString(),
    };
    this.attempts.push(record);
    if (!url) {
      record.error = "no webhook url";
      return false;
    }
    if (job.attempt <= this.mode.failFirst) {
      record.error = "simulated failure (failFirst)";
      this.log(`webhook ${job.event.type} ${job.event.id} attempt ${job.attempt}: simulated failure`);
      return false;
    }
    const payload = JSON.stringify(job.event, null, 2);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "stripe-signature": signPayload(payload, this.secret),
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        },
        body: payload,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      record.status = res.status;
      record.ok = res.status >= 200 && res.status < 300;
      if (!record.ok) record.error = `HTTP ${res.status}`;
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    }
    this.log(`webhook ${job.event.type} ${job.event.id} attempt ${job.attempt}: ${record.ok ? record.status : record.error}`);
    return record.ok;
  }
}
