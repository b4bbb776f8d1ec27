/**
 * Group commit: concurrent requests are coalesced into one flush (one SQL round trip, one commit).
 *
 * - Up to `maxInFlight` flushes at once (default 1), at most `maxPerKey` (default 1) holding items of
 *   the same `key` (the ledger keys by account: spread traffic gets parallel flushes on disjoint
 *   accounts, a hot account two pipelined ones). The next flush starts as soon as a slot frees up, with
 *   everything that arrived meanwhile (no fixed wait: an idle queue flushes on the next microtask).
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

type Pending<I, O> = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };

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
   * flush waits on the key's row locks, so the database still applies them one after the other. The
   * key's pending items are then shared between the free slots like other keys' (above `shareAbove`).
   */
  maxPerKey?: number;
}

export class GroupCommitQueue<I, O> {
  private pending: Pending<I, O>[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly busy = new Map<string, number>();
  private readonly key: (item: I) => string;
  private readonly maxInFlight: number;
  private readonly shareAbove: number;
  private readonly maxPerKey: number;
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
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Starts flushes on the next microtask, so that everything submitted in this tick joins one flush. */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      // Take, in arrival order, the items whose key is not in a flush already (order per key is kept:
      // once one item of a key stays behind, every later item of that key does too). With several
      // slots free, stop taking new keys at a fair share of what is pending; a key's items are not split
      // between flushes below maxBatch (they would only wait on each other's locks).
      const group: Pending<I, O>[] = [];
      const keys = new Set<string>();
      const behind = new Set<string>();
      const rest: Pending<I, O>[] = [];
      const freeSlots = this.maxInFlight - this.inFlight;
      const share = Math.max(this.shareAbove, Math.ceil(this.pending.length / freeSlots));
      for (const p of this.pending) {
        const k = this.key(p.item);
        const free = (this.busy.get(k) ?? 0) < this.maxPerKey;
        const joins = keys.has(k) ? this.maxPerKey === 1 || group.length < share : group.length < share && free && !behind.has(k);
        if (joins && group.length < this.maxBatch) {
          group.push(p);
          keys.add(k);
        } else {
          rest.push(p);
          behind.add(k);
        }
      }
      if (group.length === 0) return;
      this.pending = rest;
      for (const k of keys) this.busy.set(k, (this.busy.get(k) ?? 0) + 1);
      this.inFlight++;
      this.stats.flushes++;
      this.stats.items += group.length;
      this.stats.maxBatch = Math.max(this.stats.maxBatch, group.length);
      void this.flushGroup(group, false).finally(() => {
        for (const k of keys) {
          const c = (this.busy.get(k) ?? 1) - 1;
          if (c === 0) this.busy.delete(k);
          else this.busy.set(k, c);
        }
        this.inFlight--;
        if (this.pending.length > 0) this.schedule();
      });
    }
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
