/**
 * Group commit: concurrent requests are coalesced into one flush (one SQL round trip, one commit).
 *
 * - Up to `maxInFlight` flushes at once (default 1) on keys not already in flight (the ledger keys by
 *   account: spread traffic gets parallel flushes on disjoint accounts). With `maxPerKey` > 1 a key in
 *   flight may also have further, pipelined flushes carrying only its own items, outside those slots.
 *   The next flush starts as soon as a slot frees up, with everything that arrived meanwhile (no fixed
 *   wait: an idle queue flushes once the event loop has run what it has ready, see schedule).
 * - Items keep arrival order inside a flush; the SQL applies them in that order. Two flushes of one key
 *   in flight at once are concurrent: the database applies one after the other, in either order (they
 *   come from independent callers; a caller that needs an order awaits, or uses one bulk call).
 * - `flush` returns one outcome per item: a value (resolve) or an Error (that caller alone is rejected).
 * - If the flush itself throws, it may have failed before its commit (rolled back as a whole) or after
 *   it (e.g. the connection dropped while the commit's reply was on its way). So every item is retried
 *   on its own, flagged `{ retry: true }`: a retrying flush must recognise an item that already took
 *   effect (the ledger passes client-generated ids and reports such an item with its original outcome)
 *   and never apply it twice. A multi-item flush is always retried item by item (one poisoned item
 *   cannot fail the others); a single item is retried once when the error may have come after the
 *   commit (`mayHaveCommitted`), otherwise it gets the error.
 */
export interface FlushAttempt {
  /** True when these items were already part of a flush that threw: some may have been applied. */
  retry: boolean;
}

/** A SQLSTATE error other than a connection/shutdown class is a statement failure: nothing committed. */
export function mayHaveCommitted(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) return true; // connection / client-side error
  return code.startsWith("08") || code.startsWith("57") || code.startsWith("58") || code === "XX000";
}

/** `key` is computed once, on arrival: scans of what is pending must not call it again and again. */
type Pending<I, O> = { item: I; key: string; resolve: (o: O) => void; reject: (e: unknown) => void };

export interface GroupCommitOptions<I> {
  /**
   * Items with the same key (e.g. the account) go to at most `maxPerKey` flushes at once: more would
   * only queue on the same row locks. Default: one key for everything.
   */
  key?: (item: I) => string;
  /** Flushes in flight at once (each takes a pooled connection). Default 1. */
  maxInFlight?: number;
  /**
   * With several slots free, share what is pending among them (never below this many items a flush)
   * instead of putting it all in the first: callers that all arrived together (they were all answered
   * by the same flush) then keep more than one connection, and core, busy. Default: no sharing.
   */
  shareAbove?: number;
  /**
   * Flushes one key may have in flight at once (default 1). Two let a hot key pipeline: while one flush
   * is in Postgres, this process decodes the previous one's results and encodes the next; the second
   * flush waits on the key's row locks, so the database still applies them one after the other. A
   * further flush of a key carries that key's items only and takes no `maxInFlight` slot (at most
   * `maxInFlight` such flushes at once, so up to twice `maxInFlight` connections in all), so with two
   * slots or more a key stuck behind a lock holds up no other key.
   */
  maxPerKey?: number;
  /**
   * A further flush of a key in flight starts only once this many of its items are waiting (default 1).
   * Each flush has a fixed cost (a round trip, a commit, encoding and decoding); a pipelined flush of one
   * or two items pays it for little, and those items would have joined the next flush a moment later.
   */
  pipelineAbove?: number;
}

export class GroupCommitQueue<I, O> {
  private pending: Pending<I, O>[] = [];
  private scheduled = false;
  /** Flushes in the `maxInFlight` slots. */
  private inFlight = 0;
  /** Further flushes of keys already in flight (see takePipelined); at most `maxInFlight` of them too. */
  private pipelinedInFlight = 0;
  private readonly busy = new Map<string, number>();
  private readonly key: (item: I) => string;
  private readonly maxInFlight: number;
  private readonly shareAbove: number;
  private readonly maxPerKey: number;
  private readonly pipelineAbove: number;
  /** Items waiting per key, for pipelineAbove. */
  private readonly waiting = new Map<string, number>();
  /** Flush sizes seen (for benchmarks and diagnostics). */
  readonly stats = { flushes: 0, items: 0, maxBatch: 0, retries: 0 };

  constructor(
    private readonly flush: (items: I[], attempt: FlushAttempt) => Promise<(O | Error)[]>,
    private readonly maxBatch = 1000,
    options: GroupCommitOptions<I> = {},
  ) {
    this.key = options.key ?? (() => "");
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
    this.shareAbove = options.shareAbove ?? Infinity;
    this.maxPerKey = Math.max(1, options.maxPerKey ?? 1);
    this.pipelineAbove = Math.max(1, options.pipelineAbove ?? 1);
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const key = this.key(item);
      this.pending.push({ item, key, resolve, reject });
      this.waiting.set(key, (this.waiting.get(key) ?? 0) + 1);
      // An item that cannot start now waits for a flush to end (which schedules the next): a pump per
      // arrival would scan everything pending for nothing, each time.
      if (this.couldStart(key)) this.schedule();
    });
  }

  private couldStart(key: string): boolean {
    const busy = this.busy.get(key) ?? 0;
    if (busy === 0) return this.inFlight < this.maxInFlight;
    return busy < this.maxPerKey && this.pipelinedInFlight < this.maxInFlight && (this.waiting.get(key) ?? 0) >= this.pipelineAbove;
  }

  /**
   * Starts flushes once the event loop has run the callbacks it has ready (setImmediate), so that
   * everything submitted meanwhile joins one flush. On an idle process that is at once. Under load it
   * is at the end of the loop's turn: a busy server reads a turn's worth of requests (tens, through the
   * metering API) before it gets to this, and they share a flush. On the next microtask instead, the
   * first request of each turn got a flush of its own. bench:api authorize+capture pairs against the
   * floor, six interleaved pairs of runs: 0.382–0.405 against 0.367–0.387, higher in every pair.
   * The price: after a stall (a long GC), the requests that piled up meanwhile are all read before
   * their flush starts, where the first of them used to overlap it. Authorize p99 at 400 req/s did not
   * measurably change (10–52 ms either way, on a noisy day of this machine), but that is where to look.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    for (;;) {
      if (this.pending.length === 0) return;
      const fresh = this.inFlight < this.maxInFlight ? this.takeFresh() : null;
      if (fresh) {
        this.launch(fresh, false);
        continue;
      }
      const pipelined = this.maxPerKey > 1 && this.pipelinedInFlight < this.maxInFlight ? this.takePipelined() : null;
      if (pipelined) {
        this.launch(pipelined, true);
        continue;
      }
      return;
    }
  }

  /**
   * Items, in arrival order, whose key has no flush in flight (order per key is kept: once one item of
   * a key stays behind, every later item of that key does too). With several slots free, stop taking new
   * keys at a fair share of what is pending; with maxPerKey 1 a key's items are not split between flushes
   * below maxBatch (they would only wait on each other's locks).
   */
  private takeFresh(): { group: Pending<I, O>[]; keys: Set<string> } | null {
    const group: Pending<I, O>[] = [];
    const keys = new Set<string>();
    const behind = new Set<string>();
    const freeSlots = this.maxInFlight - this.inFlight;
    const share = Math.max(this.shareAbove, Math.ceil(this.pending.length / freeSlots));
    for (const p of this.pending) {
      const k = p.key;
      const joins = keys.has(k) ? this.maxPerKey === 1 || group.length < share : group.length < share && !this.busy.has(k) && !behind.has(k);
      if (joins && group.length < this.maxBatch) {
        group.push(p);
        keys.add(k);
      } else behind.add(k);
    }
    return group.length > 0 ? { group, keys } : null;
  }

  /**
   * A further flush of ONE key that is already in flight (maxPerKey > 1), with that key's items only: it
   * will wait on the key's row locks, so it must not carry other keys' items, and it does not use one of
   * the `maxInFlight` slots, so other keys never wait behind it (e.g. while a long transaction holds the
   * hot account's lock, every other account still flushes). Only when nothing else could start, and only
   * for a key with at least `pipelineAbove` items waiting.
   */
  private takePipelined(): { group: Pending<I, O>[]; keys: Set<string> } | null {
    let key: string | null = null;
    const items: Pending<I, O>[] = [];
    for (const p of this.pending) {
      const k = p.key;
      if (key === null) {
        const busy = this.busy.get(k) ?? 0;
        if (busy === 0 || busy >= this.maxPerKey || (this.waiting.get(k) ?? 0) < this.pipelineAbove) continue;
        key = k;
      }
      if (k === key) items.push(p);
    }
    if (key === null) return null;
    // the key's pending items, shared between the flushes it may still start
    const flushesLeft = this.maxPerKey - (this.busy.get(key) ?? 0);
    const take = Math.min(this.maxBatch, Math.max(Math.min(this.shareAbove, items.length), Math.ceil(items.length / flushesLeft)));
    return { group: items.slice(0, take), keys: new Set([key]) };
  }

  private launch({ group, keys }: { group: Pending<I, O>[]; keys: Set<string> }, pipelined: boolean): void {
    const taken = new Set(group);
    this.pending = this.pending.filter((p) => !taken.has(p));
    for (const p of group) {
      const w = (this.waiting.get(p.key) ?? 1) - 1;
      if (w === 0) this.waiting.delete(p.key);
      else this.waiting.set(p.key, w);
    }
    for (const k of keys) this.busy.set(k, (this.busy.get(k) ?? 0) + 1);
    if (pipelined) this.pipelinedInFlight++;
    else this.inFlight++;
    this.stats.flushes++;
    this.stats.items += group.length;
    this.stats.maxBatch = Math.max(this.stats.maxBatch, group.length);
    void this.flushGroup(group, false).finally(() => {
      for (const k of keys) {
        const c = (this.busy.get(k) ?? 1) - 1;
        if (c === 0) this.busy.delete(k);
        else this.busy.set(k, c);
      }
      if (pipelined) this.pipelinedInFlight--;
      else this.inFlight--;
      if (this.pending.length > 0) this.schedule();
    });
  }

  private async flushGroup(group: Pending<I, O>[], retry: boolean): Promise<void> {
    let outcomes: (O | Error)[];
    try {
      outcomes = await this.flush(
        group.map((g) => g.item),
        { retry },
      );
    } catch (error) {
      if (group.length === 1 && (retry || !mayHaveCommitted(error))) {
        group[0].reject(error);
        return;
      }
      this.stats.retries += group.length;
      for (const one of group) await this.flushGroup([one], true);
      return;
    }
    group.forEach((g, i) => {
      const o = outcomes[i];
      if (o instanceof Error) g.reject(o);
      else g.resolve(o);
    });
  }
}
