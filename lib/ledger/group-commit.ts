/**
 * Group commit: concurrent requests are coalesced into one flush (one SQL round trip, one commit).
 *
 * - One flush in flight per queue; the next flush starts as soon as the previous one ends, with
 *   everything that arrived meanwhile (no fixed wait: an idle queue flushes on the next microtask).
 * - Items keep arrival order inside a flush; the SQL applies them in that order.
 * - `flush` returns one outcome per item: a value (resolve) or an Error (that caller alone is rejected).
 *   If the flush itself throws (e.g. connection error), its transaction rolled back as a whole: when
 *   it held several items they are retried one by one so that one poisoned item cannot fail the
 *   others; a single item gets the error.
 */
export class GroupCommitQueue<I, O> {
  private pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = false;
  /** Flush sizes seen (for benchmarks and diagnostics). */
  readonly stats = { flushes: 0, items: 0, maxBatch: 0 };

  constructor(
    private readonly flush: (items: I[]) => Promise<(O | Error)[]>,
    private readonly maxBatch = 1000,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        queueMicrotask(() => void this.run());
      }
    });
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0, this.maxBatch);
        this.stats.flushes++;
        this.stats.items += group.length;
        this.stats.maxBatch = Math.max(this.stats.maxBatch, group.length);
        await this.flushGroup(group);
      }
    } finally {
      this.running = false;
    }
  }

  private async flushGroup(group: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[]) {
    let outcomes: (O | Error)[];
    try {
      outcomes = await this.flush(group.map((g) => g.item));
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return;
      }
      for (const one of group) await this.flushGroup([one]);
      return;
    }
    group.forEach((g, i) => {
      const o = outcomes[i];
      if (o instanceof Error) g.reject(o);
      else g.resolve(o);
    });
  }
}
