/**
 * A small in-process cache for the metering hot path: API keys, bots and account ids are read on every
 * call and change rarely. Entries live `ttlMs`; writers in this process invalidate explicitly, other
 * web instances see a change within the TTL.
 */
export class TtlCache<V> {
  private entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, now = Date.now()): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Cached value, or load it (concurrent misses each load; harmless for idempotent reads). */
  async getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = await load();
    this.set(key, value);
    return value;
  }
}

/**
 * One cache per process, however the app is bundled: Next builds each route into its own bundle with
 * its own module instances, so a module-level cache would not see an invalidation made by a server
 * action (e.g. revoking a key). Keeping the instance on globalThis makes it process-wide.
 */
export function sharedCache<V>(name: string, ttlMs: number, maxEntries?: number): TtlCache<V> {
  const registry = ((globalThis as { __creditdeskCaches?: Map<string, unknown> }).__creditdeskCaches ??= new Map());
  let cache = registry.get(name) as TtlCache<V> | undefined;
  if (!cache) {
    cache = new TtlCache<V>(ttlMs, maxEntries);
    registry.set(name, cache);
  }
  return cache;
}
