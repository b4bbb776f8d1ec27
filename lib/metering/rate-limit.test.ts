import { describe, expect, it } from "vitest";
import { TokenBucketLimiter } from "./rate-limit";

describe("TokenBucketLimiter", () => {
  it("allows a burst, then refuses with a Retry-After, then refills over time", () => {
    const limiter = new TokenBucketLimiter(1, 3);
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take("k", t0).allowed)).toEqual([true, true, true]);
    const refused = limiter.take("k", t0);
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1, remaining: 0 });
    expect(limiter.take("other", t0).allowed).toBe(true);
    expect(limiter.take("k", t0 + 1000).allowed).toBe(true);
  });
});
