import { describe, expect, it } from "vitest";
import { TtlCache } from "./ttl-cache";

describe("TtlCache", () => {
  it("serves a value until its TTL passes, and forgets on delete", () => {
    const cache = new TtlCache<number>(1000);
    cache.set("a", 1, 0);
    expect(cache.get("a", 999)).toBe(1);
    expect(cache.get("a", 1000)).toBeUndefined();
    cache.set("b", 2);
    cache.delete("b");
    expect(cache.get("b")).toBeUndefined();
  });

  it("evicts the oldest entry when full", () => {
    const cache = new TtlCache<number>(60_000, 2);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("c")).toBe(3);
  });

  it("concurrent misses of a key share one load; a failed load is not cached", async () => {
    const cache = new TtlCache<number>(60_000);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return 7;
    };
    expect(await Promise.all(Array.from({ length: 100 }, () => cache.getOrLoad("k", load)))).toEqual(Array(100).fill(7));
    expect(loads).toBe(1);
    expect(await cache.getOrLoad("k", load)).toBe(7);
    expect(loads).toBe(1);

    const failing = () => Promise.reject(new Error("db down"));
    await expect(Promise.all([cache.getOrLoad("f", failing), cache.getOrLoad("f", failing)])).rejects.toThrow("db down");
    expect(await cache.getOrLoad("f", load)).toBe(7);
  });

  it("a caller whose shared load failed gets its own load's error, not another caller's", async () => {
    // Each Next route bundle has its own error classes: a NotFoundError thrown by another route's load is
    // not `instanceof` this route's NotFoundError, so it must never be handed over.
    class ErrorOfRouteA extends Error {}
    class ErrorOfRouteB extends Error {}
    const cache = new TtlCache<number>(60_000);
    const fromA = cache.getOrLoad("bot", async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new ErrorOfRouteA("no such bot");
    });
    const fromB = cache.getOrLoad("bot", async () => {
      throw new ErrorOfRouteB("no such bot");
    });
    await expect(fromA).rejects.toBeInstanceOf(ErrorOfRouteA);
    await expect(fromB).rejects.toBeInstanceOf(ErrorOfRouteB);
    // and a joiner whose own load succeeds gets (and keeps) the value
    const failed = cache.getOrLoad("card", () => Promise.reject(new Error("connection reset")));
    const joined = cache.getOrLoad("card", async () => 3);
    await expect(failed).rejects.toThrow("connection reset");
    expect(await joined).toBe(3);
    expect(cache.get("card")).toBe(3);
  });

  it("a load under way when the key is invalidated answers its callers but is not kept", async () => {
    const cache = new TtlCache<string>(60_000);
    let release!: (v: string) => void;
    const slow = cache.getOrLoad("key", () => new Promise<string>((r) => (release = r)));
    cache.delete("key"); // e.g. the API key was revoked while its row was being read
    const fresh = cache.getOrLoad("key", async () => "after");
    release("before");
    expect(await slow).toBe("before");
    expect(await fresh).toBe("after");
    expect(cache.get("key")).toBe("after");
  });
});
