/**
 * A small in-process cache for the metering hot path: API keys, bots and account ids are read on every
 * call and change rarely. Entries live `ttlMs`; writers in this process invalidate explicitly, other
 * web instances see a change within the TTL.
 */
export class TtlCache<V> {
  private entries = new Map<string, { value: V; expiresAt: number }>();
  /** Loads under way: concurrent misses of one key share one load (a 1000-event batch is one query). */
  private loading = new Map<string, Promise<V>>();
  /** Bumped by delete/clear: a load that started before an invalidation returns its value but keeps it out. */
  private generation = 0;

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
    this.loading.delete(key);
    this.generation++;
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
    this.generation++;
  }

  /**
   * Cached value, or load it. Concurrent misses of a key wait for the same load (without this, every
   * event of a batch, or every request arriving as an entry expires, queried the database itself); if
   * that load fails, each of them tries its own.
   * `shareLoad: false` for a load that reads through a caller's transaction: other callers must not
   * wait on (or fail with) someone else's transaction.
   */
  getOrLoad(key: string, load: () => Promise<V>, options: { shareLoad?: boolean } = {}): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const generation = this.generation;
    const keep = (value: V) => {
      if (generation === this.generation) this.set(key, value);
      return value;
    };
    if (options.shareLoad === false) return load().then(keep);
    const pending = this.loading.get(key);
    // A caller that joined a load which failed runs its own: the error it gets must be one it threw.
    // Next gives each route bundle its own copy of the error classes, so a NotFoundError thrown by
    // another route's load would fail this caller's `instanceof` checks and turn a 404 into a 500.
    if (pending) return pending.catch(() => load().then(keep));
    const loaded = load().then(
      (value) => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
        return keep(value);
      },
      (error: unknown) => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, loaded);
    return loaded;
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
