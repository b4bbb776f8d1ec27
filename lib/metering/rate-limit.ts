/**
 * Per-API-key token bucket, in process memory. A shared Postgres counter would put one hot row on the
 * path of every metering call (the thing we are fastest at); an in-process bucket costs nothing, at the
 * price that N web instances allow N × the rate. The limit is a guard against runaway loops, not billing.
 */
export interface RateLimitDecision {
  allowed: boolean;
  retryAfterSeconds: number;
  remaining: number;
}

export class TokenBucketLimiter {
  private buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  take(key: string, now = Date.now()): RateLimitDecision {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.ratePerSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(bucket.tokens) };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond)), remaining: 0 };
  }
}

const rate = Number(process.env.API_RATE_LIMIT_PER_SECOND ?? 2000);
const burst = Number(process.env.API_RATE_LIMIT_BURST ?? 4000);
export const apiKeyLimiter = new TokenBucketLimiter(rate > 0 ? rate : 2000, burst > 0 ? burst : 4000);
