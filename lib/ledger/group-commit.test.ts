import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { useTestDb } from "@/test/db";
import { applyOnDb, buildDebitItem, type DebitItem, type DebitOutcome } from "./apply-debits";
import { getBalance } from "./get-balance";
import { grantBatch } from "./grant-batch";
import { GroupCommitQueue, mayHaveCommitted, type GroupCommitOptions } from "./group-commit";
import { rows } from "./internal";
import { placeHold } from "./place-hold";
import { resolveOnDb, type ResolveItem, type ResolveOutcome } from "./resolve-holds";
import { debit, debitMany } from "./debit";
import { captureHold } from "./capture-hold";
import { releaseHold } from "./release-hold";
import { flushLedgerOps, ledgerQueue, mixedFlushStats, type LedgerOp } from "./flush-queue";
import { HoldAlreadyResolvedError, InsufficientCreditsError } from "./errors";
import { C, newOrgAccount } from "./test-helpers";
import { verifyLedger } from "./verify";

const t = useTestDb();

/** A connection that drops after the server committed: the flush took effect, its reply is lost. */
function lostReply<I, O>(apply: (db: Db, items: I[], attempt: { retry: boolean }) => Promise<(O | Error)[]>, times = 1) {
  const attempts: { n: number; retry: boolean }[] = [];
  let left = times;
  const queue = new GroupCommitQueue<I, O>(async (items, attempt) => {
    attempts.push({ n: items.length, retry: attempt.retry });
    const out = await apply(t.db, items, attempt);
    if (left-- > 0) throw Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" });
    return out;
  });
  return { queue, attempts };
}

/**
 * A queue keyed by an item's first letter that records its flushes; a flush for which `blocks` is true
 * waits until `unblock()`, as if another transaction held its account's lock.
 */
function queueBlockedOn(blocks: (items: string[]) => boolean, options: Omit<GroupCommitOptions<string>, "key">) {
  const flushes: string[][] = [];
  let unblock!: () => void;
  const blocked = new Promise<void>((r) => (unblock = r));
  const q = new GroupCommitQueue<string, string>(
    async (items) => {
      flushes.push(items);
      if (blocks(items)) await blocked;
      return items;
    },
    1000,
    { key: (k) => k.slice(0, 1), ...options },
  );
  return { q, flushes, unblock };
}

describe("GroupCommitQueue retries", () => {
  it("retries a failed multi-item flush item by item, flagged retry; a statement error on one item is not retried", async () => {
    const seen: { items: number[]; retry: boolean }[] = [];
    const q = new GroupCommitQueue<number, number>(async (items, attempt) => {
      seen.push({ items, retry: attempt.retry });
      if (items.includes(3)) throw Object.assign(new Error("check"), { code: "23514" });
      return items.map((x) => x * 10);
    });
    const res = await Promise.allSettled([1, 2, 3, 4].map((x) => q.submit(x)));
    expect(res.map((r) => (r.status === "fulfilled" ? r.value : "err"))).toEqual([10, 20, "err", 40]);
    expect(seen[0]).toEqual({ items: [1, 2, 3, 4], retry: false });
    expect(seen.slice(1)).toEqual([1, 2, 3, 4].map((x) => ({ items: [x], retry: true })));
    // a single item failing with a statement error (rolled back) is not retried
    seen.length = 0;
    await expect(q.submit(3)).rejects.toThrow("check");
    expect(seen).toHaveLength(1);
    expect(mayHaveCommitted(Object.assign(new Error("x"), { code: "23505" }))).toBe(false);
    expect(mayHaveCommitted(Object.assign(new Error("x"), { code: "08006" }))).toBe(true);
    expect(mayHaveCommitted(new Error("socket hang up"))).toBe(true);
  });

  it("runs flushes on disjoint keys in parallel, never two flushes holding the same key", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const active = new Set<string>();
    const q = new GroupCommitQueue<{ k: string; v: number }, number>(
      async (items) => {
        const keys = new Set(items.map((i) => i.k));
        for (const k of keys) {
          expect(active.has(k)).toBe(false);
          active.add(k);
        }
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        for (const k of keys) active.delete(k);
        return items.map((i) => i.v);
      },
      1000,
      { key: (i) => i.k, maxInFlight: 3 },
    );
    const order: number[] = [];
    const subs = Array.from({ length: 200 }, (_, v) => ({ k: `k${v % 5}`, v }));
    // Staggered arrivals so later items find keys busy: after every 20th item, one turn of the event loop,
    // in which the queue starts what it can (a pause timed in milliseconds could, on a loaded machine, let
    // every flush end before the next arrivals, and no two would overlap).
    const done = [];
    for (const it of subs) {
      done.push(q.submit(it).then((v) => (it.k === "k0" ? order.push(v) : 0)));
      if (it.v % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(done);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    // per key, arrival order is kept
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("shares what arrived together between free slots, but never splits one key's items", async () => {
    const flushes: string[][] = [];
    let inFlight = 0;
    let overlapped = false;
    const q = new GroupCommitQueue<string, string>(
      async (items) => {
        flushes.push(items);
        overlapped ||= ++inFlight > 1;
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return items;
      },
      1000,
      { key: (k) => k, maxInFlight: 2, shareAbove: 8 },
    );
    // 32 distinct keys at once: two flushes of 16, in parallel
    await Promise.all(Array.from({ length: 32 }, (_, i) => q.submit(`k${i}`)));
    expect(flushes.map((f) => f.length)).toEqual([16, 16]);
    expect(overlapped).toBe(true);
    // 32 items of one key: one flush (a second would only wait on the first's locks)
    flushes.length = 0;
    await Promise.all(Array.from({ length: 32 }, () => q.submit("hot")));
    expect(flushes.map((f) => f.length)).toEqual([32]);
    // below the threshold nothing is shared
    flushes.length = 0;
    await Promise.all(Array.from({ length: 6 }, (_, i) => q.submit(`s${i}`)));
    expect(flushes.map((f) => f.length)).toEqual([6]);
  });

  it("with maxPerKey 2 a hot key pipelines: two flushes of it at once, never three, its items shared between them", async () => {
    const flushes: string[][] = [];
    let hotInFlight = 0;
    let maxHotInFlight = 0;
    const q = new GroupCommitQueue<string, string>(
      async (items) => {
        flushes.push(items);
        const hot = items.includes("hot");
        if (hot) maxHotInFlight = Math.max(maxHotInFlight, ++hotInFlight);
        await new Promise((r) => setTimeout(r, 5));
        if (hot) hotInFlight--;
        return items;
      },
      1000,
      { key: (k) => k, maxInFlight: 3, shareAbove: 8, maxPerKey: 2 },
    );
    // 32 callers of one account arriving together: 11 (a fair share of three slots), then the key's
    // second and last flush takes the other 21
    await Promise.all(Array.from({ length: 32 }, () => q.submit("hot")));
    expect(flushes.map((f) => f.length)).toEqual([11, 21]);
    expect(maxHotInFlight).toBe(2);
    // callers that keep coming back (a closed loop, like 32 request handlers) keep two flushes of the key busy
    flushes.length = 0;
    maxHotInFlight = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (let i = 0; i < 10; i++) await q.submit("hot");
      }),
    );
    expect(maxHotInFlight).toBe(2);
    expect(flushes.flat()).toHaveLength(320);
    // below shareAbove a key's items stay in one flush
    flushes.length = 0;
    await Promise.all(Array.from({ length: 6 }, () => q.submit("hot")));
    expect(flushes.map((f) => f.length)).toEqual([6]);
  });

  it("a key's pipelined flush carries only that key and takes no slot: a key stuck on a lock holds up no other key", async () => {
    // "A" waits as if a long transaction held its account's lock
    const { q, flushes, unblock } = queueBlockedOn((items) => items.some((i) => i.startsWith("A")), { maxInFlight: 2, maxPerKey: 2 });
    const a1 = q.submit("A1");
    await new Promise((r) => setTimeout(r, 5));
    const a2 = q.submit("A2");
    const b1 = q.submit("B1");
    expect(await b1).toBe("B1");
    // A's second flush is running too (pipelined), yet a third key still gets a slot at once
    expect(await q.submit("C1")).toBe("C1");
    expect(flushes).toEqual([["A1"], ["B1"], ["A2"], ["C1"]]);
    unblock();
    expect(await Promise.all([a1, a2])).toEqual(["A1", "A2"]);
  });

  it("a pipelined flush keeps its key's arrival order; keys are computed once per item; a failed one leaves no key busy", async () => {
    const flushes: string[][] = [];
    let unblock!: () => void;
    const blocked = new Promise<void>((r) => (unblock = r));
    let keyCalls = 0;
    let failNext = false;
    const q = new GroupCommitQueue<string, string>(
      async (items, attempt) => {
        flushes.push(attempt.retry ? items.map((i) => `retry ${i}`) : items);
        if (items.includes("A1")) await blocked;
        if (failNext && !attempt.retry) {
          failNext = false;
          throw Object.assign(new Error("connection closed"), { code: "CONNECTION_CLOSED" });
        }
        return items;
      },
      1000,
      { key: (k) => (keyCalls++, k.slice(0, 1)), maxInFlight: 1, maxPerKey: 2 },
    );
    const a1 = q.submit("A1");
    await new Promise((r) => setTimeout(r, 5));
    // one slot, held by A: A's later items still pipeline, in their order; B waits for the slot
    const rest = ["B1", "A2", "B2", "A3"].map((i) => q.submit(i));
    await Promise.all([rest[1], rest[3]]);
    expect(flushes).toEqual([["A1"], ["A2", "A3"]]);
    unblock();
    expect(await Promise.all([a1, ...rest])).toEqual(["A1", "B1", "A2", "B2", "A3"]);
    expect(flushes.at(-1)).toEqual(["B1", "B2"]);
    expect(keyCalls).toBe(5);
    // a flush that fails after its commit may have landed: its items are retried one by one, and the
    // key is free again afterwards (a busy count left behind would block or mis-route its next items)
    flushes.length = 0;
    failNext = true;
    expect(await Promise.all([q.submit("C1"), q.submit("C2")])).toEqual(["C1", "C2"]);
    expect(flushes).toEqual([["C1", "C2"], ["retry C1"], ["retry C2"]]);
    expect(await Promise.all([q.submit("C3"), q.submit("C4")])).toEqual(["C3", "C4"]);
    expect(flushes.at(-1)).toEqual(["C3", "C4"]);
  });

  it("with pipelineAbove a key in flight gets its second flush only once that many of its items wait", async () => {
    const { q, flushes, unblock } = queueBlockedOn((items) => items.includes("A1"), { maxInFlight: 2, maxPerKey: 2, pipelineAbove: 3 });
    const a1 = q.submit("A1");
    await new Promise((r) => setTimeout(r, 5));
    // two of A's items wait behind A1: too few for a flush of their own; another key is not held up
    const a2 = q.submit("A2");
    const a3 = q.submit("A3");
    expect(await q.submit("B1")).toBe("B1");
    expect(flushes).toEqual([["A1"], ["B1"]]);
    // the third waiting item starts the pipelined flush, with all three in arrival order
    const a4 = q.submit("A4");
    expect(await Promise.all([a2, a3, a4])).toEqual(["A2", "A3", "A4"]);
    expect(flushes.at(-1)).toEqual(["A2", "A3", "A4"]);
    // below the threshold, waiting items go out with the next flush once the key's flush ends
    const a5 = q.submit("A5");
    await new Promise((r) => setTimeout(r, 5));
    expect(flushes.flat()).not.toContain("A5");
    unblock();
    expect(await Promise.all([a1, a5])).toEqual(["A1", "A5"]);
    expect(flushes.at(-1)).toEqual(["A5"]);
  });

  it("items submitted by separate callbacks of one event-loop turn share a flush (as requests read in one turn do)", async () => {
    const flushes: number[][] = [];
    const q = new GroupCommitQueue<number, number>(async (items) => {
      flushes.push(items);
      return items;
    });
    // Two timers due together run in one timers phase, each followed by its own microtasks.
    const results = await new Promise<number[]>((resolve) => {
      const submitted: Promise<number>[] = [];
      setTimeout(() => submitted.push(q.submit(1)), 0);
      setTimeout(() => {
        submitted.push(q.submit(2));
        void Promise.all(submitted).then(resolve);
      }, 0);
    });
    expect(results).toEqual([1, 2]);
    expect(flushes).toEqual([[1, 2]]);
  });

  it("parallel debit flushes over many accounts (two pools) spend exactly what was asked", async () => {
    const accounts = await Promise.all(Array.from({ length: 12 }, (_, i) => newOrgAccount(t.db, `spread-${i}`)));
    for (const a of accounts) await grantBatch(t.db, { accountId: a.accountId, type: "paid", source: "top_up", amount: C(50), now: new Date(Date.now() - 1000) });
    const other = (await import("@/db/client")).createDb(t.url, { max: 4 });
    try {
      const res = await Promise.allSettled(
        Array.from({ length: 720 }, (_, i) => debit(i % 2 ? other : t.db, { accountId: accounts[(i * 7) % 12].accountId, amount: C(1), category: "llm" })),
      );
      // 60 debits of 1 per account, 50 credits each: 50 succeed, 10 are refused
      expect(res.filter((r) => r.status === "fulfilled")).toHaveLength(600);
      for (const a of accounts) expect((await getBalance(t.db, a.accountId)).balance).toBe(0n);
    } finally {
      await other.$client.end({ timeout: 5 });
    }
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("a large bulk flush applies its items in arrival order (who gets the last credits)", async () => {
    const { accountId } = await newOrgAccount(t.db, "bulk-order");
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(100), now: new Date(Date.now() - 1000) });
    // 4,000 items of 1 credit, with a few bigger ones sprinkled in: exactly the prefix that fits succeeds
    const amounts = Array.from({ length: 4000 }, (_, i) => (i % 7 === 3 ? C(2) : C(1)));
    const outs = await debitMany(t.db, amounts.map((amount) => ({ accountId, amount, quantities: { i: 1 }, description: "bulk" })));
    let left = C(100);
    const expected = amounts.map((a) => (a <= left ? ((left -= a), true) : false));
    expect(outs.map((o) => !(o instanceof Error))).toEqual(expected);
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("a bulk debit asked for no allocations still records them, on a Db and inside a transaction", async () => {
    const { accountId } = await newOrgAccount(t.db, "no-allocations");
    const past = new Date(Date.now() - 1000);
    await grantBatch(t.db, { accountId, type: "free", source: "signup_bonus", amount: C(3), now: past });
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(10), now: past });
    const inputs = [C(2), C(2), C(20)].map((amount) => ({ accountId, amount, category: "llm" as const }));
    const onDb = await debitMany(t.db, inputs, { allocations: false });
    const inTx = await t.db.transaction((tx) => debitMany(tx, inputs.slice(0, 1), { allocations: false }));
    for (const out of [...onDb.slice(0, 2), ...inTx]) {
      if (out instanceof Error) throw out;
      expect(out.allocations).toEqual([]);
      expect(out.charged).toBe(C(2));
    }
    expect(onDb[2]).toBeInstanceOf(InsufficientCreditsError);
    expect((onDb[1] as { available: bigint }).available).toBe(C(9));
    // the second debit took the last free credit, then paid ones: two allocation rows for it
    const recorded = await rows<{ n: string }>(
      t.db,
      sql`select count(*)::text as n from usage_allocations ua join usage_events ue on ue.id = ua.usage_event_id where ue.account_id = ${accountId}`,
    );
    expect(recorded[0].n).toBe("4");
    expect((await getBalance(t.db, accountId)).balance).toBe(C(7));
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("a flush leaves no usage event or hold behind for items it refused (insufficient credits, unknown account)", async () => {
    const { accountId } = await newOrgAccount(t.db, "events-before-lock");
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(10), now: new Date(Date.now() - 1000) });
    const missing = "0190a0a0-0000-7000-8000-000000000001";
    const expires = new Date(Date.now() + 60_000);
    const items = [
      buildDebitItem("debit", { accountId, amount: C(4), category: "llm" }),
      buildDebitItem("debit", { accountId, amount: C(50), category: "llm" }), // refused: insufficient
      buildDebitItem("hold", { accountId, amount: C(3), holdExpiresAt: expires }),
      buildDebitItem("hold", { accountId, amount: C(40), holdExpiresAt: expires }), // refused: insufficient
      buildDebitItem("debit", { accountId: missing, amount: C(1), category: "llm" }), // unknown account
      buildDebitItem("hold", { accountId: missing, amount: C(1), holdExpiresAt: expires }),
      buildDebitItem("debit", { accountId, amount: C(3), category: "web_search" }), // takes the last 3
    ];
    const outs = await applyOnDb(t.db, items);
    expect(outs.map((o) => (o instanceof Error ? o.constructor.name : "ok"))).toEqual([
      "ok", "InsufficientCreditsError", "ok", "InsufficientCreditsError", "AccountNotFoundError", "AccountNotFoundError", "ok",
    ]);
    const events = await rows<{ id: string }>(t.db, sql`select id from usage_events where id in (${sql.join(items.map((i) => sql`${i.id}::uuid`), sql`, `)})`);
    const holds = await rows<{ id: string }>(t.db, sql`select id from holds where id in (${sql.join(items.map((i) => sql`${i.id}::uuid`), sql`, `)})`);
    expect(events.map((e) => e.id).sort()).toEqual([items[0].id, items[6].id].sort());
    expect(holds.map((h) => h.id)).toEqual([items[2].id]);
    const bal = await getBalance(t.db, accountId);
    expect([bal.balance, bal.held, bal.available]).toEqual([C(3), C(3), 0n]);
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("debits and holds whose flush committed but whose reply was lost are reported once, never applied twice", async () => {
    const { accountId } = await newOrgAccount(t.db, "retry");
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(100), now: new Date(Date.now() - 1000) });
    const { queue, attempts } = lostReply<DebitItem, DebitOutcome>((db, items, attempt) => applyOnDb(db, items, undefined, attempt));
    const items = [
      ...Array.from({ length: 5 }, () => buildDebitItem("debit", { accountId, amount: C(2), category: "llm" })),
      buildDebitItem("hold", { accountId, amount: C(3), holdExpiresAt: new Date(Date.now() + 60_000) }),
    ];
    const outs = await Promise.all(items.map((i) => queue.submit(i)));
    expect(attempts[0]).toEqual({ n: 6, retry: false });
    expect(attempts.slice(1)).toEqual(items.map(() => ({ n: 1, retry: true })));
    for (const [i, o] of outs.entries()) {
      if (items[i].kind === "debit") expect(o.usageEventId).toBe(items[i].id);
      else expect(o.holdId).toBe(items[i].id);
      expect(o.allocations.reduce((s, a) => s + a.amount, 0n)).toBe(BigInt(items[i].amount));
    }
    const [ev] = await rows<{ n: string }>(t.db, sql`select count(*)::text as n from usage_events where account_id = ${accountId}`);
    expect(ev.n).toBe("5");
    const bal = await getBalance(t.db, accountId);
    expect(bal.balance).toBe(C(90));
    expect(bal.held).toBe(C(3));
    expect(bal.available).toBe(C(87));
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("captures and releases whose reply was lost are reported with their original outcome", async () => {
    const { accountId } = await newOrgAccount(t.db, "retry-hold");
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(10), now: new Date(Date.now() - 1000) });
    const h1 = await placeHold(t.db, { accountId, amount: C(4) });
    const h2 = await placeHold(t.db, { accountId, amount: C(2) });
    const { queue, attempts } = lostReply<ResolveItem, ResolveOutcome>((db, items, attempt) => resolveOnDb(db, items, undefined, attempt));
    const cap: ResolveItem = { hold_id: h1.holdId, action: "capture", amount: C(5).toString(), usage_event_id: crypto.randomUUID() };
    const rel: ResolveItem = { hold_id: h2.holdId, action: "release" };
    const [c, r] = await Promise.all([queue.submit(cap), queue.submit(rel)]);
    expect(attempts.map((a) => a.retry)).toEqual([false, true, true]);
    expect(c).toMatchObject({ status: "ok", holdStatus: "captured", usageEventId: cap.usage_event_id, charged: C(5), uncollected: 0n });
    expect(c.allocations).toEqual([{ batchId: h1.earmarks[0].batchId, amount: C(5) }]);
    expect(r).toMatchObject({ status: "ok", holdStatus: "released", released: C(2) });
    const bal = await getBalance(t.db, accountId);
    expect(bal.balance).toBe(C(5));
    expect(bal.held).toBe(0n);
    // a different capture of the same hold is still refused
    const other = await resolveOnDb(t.db, [{ ...cap, usage_event_id: crypto.randomUUID(), retry: true }]);
    expect(other[0]).toBeInstanceOf(Error);
    expect(await verifyLedger(t.db)).toEqual([]);
  });
});

describe("one queue for holds, debits and resolutions", () => {
  it("captures, releases, new holds and debits of one account share one flush and one transaction", async () => {
    const { accountId } = await newOrgAccount(t.db, "mixed");
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(20), now: new Date(Date.now() - 1000) });
    const [h1, h2, h3] = [await placeHold(t.db, { accountId, amount: C(5) }), await placeHold(t.db, { accountId, amount: C(5) }), await placeHold(t.db, { accountId, amount: C(5) })];
    const q = ledgerQueue(t.db);
    const before = { flushes: q.stats.flushes, mixed: mixedFlushStats.flushes };
    // submitted in one tick: one flush. Resolutions go first, so the 10 credits they free are spendable
    // by the holds and debits of the same flush (only 5 are available before it).
    const [cap, rel, again, hold, d1, d2] = await Promise.allSettled([
      captureHold(t.db, { holdId: h1.holdId, amount: C(3) }),
      releaseHold(t.db, { holdId: h2.holdId }),
      captureHold(t.db, { holdId: h1.holdId, amount: C(1) }),
      placeHold(t.db, { accountId, amount: C(8) }),
      debit(t.db, { accountId, amount: C(6), category: "llm" }),
      debit(t.db, { accountId, amount: C(1), category: "llm" }),
    ]);
    expect(q.stats.flushes - before.flushes).toBe(1);
    expect(mixedFlushStats.flushes - before.mixed).toBe(1);
    expect(cap).toMatchObject({ status: "fulfilled", value: { charged: C(3), released: C(2) } });
    expect(rel).toMatchObject({ status: "fulfilled", value: { released: C(5) } });
    expect(again.status === "rejected" && again.reason).toBeInstanceOf(HoldAlreadyResolvedError);
    expect(hold).toMatchObject({ status: "fulfilled", value: { amount: C(8) } });
    // 20 − 3 captured − 5 still held by h3 − 8 held = 4 available: the 6 is refused, the 1 is charged
    expect(d1.status === "rejected" && d1.reason).toBeInstanceOf(InsufficientCreditsError);
    expect(d2).toMatchObject({ status: "fulfilled", value: { charged: C(1), available: C(3) } });
    const bal = await getBalance(t.db, accountId);
    expect(bal.balance).toBe(C(16));
    expect(bal.held).toBe(C(13));
    expect(h3.holdId).toBeTruthy();
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("end users' captures and end users' debits are not mixed: their shared rollup rows would be locked in two runs", async () => {
    const { accountId } = await newOrgAccount(t.db, "mixed-end-user");
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(20), now: new Date(Date.now() - 1000) });
    const q = ledgerQueue(t.db);
    const forEndUser = await placeHold(t.db, { accountId, amount: C(2), pool: "end_user", actor: "paying_visitor" });
    const forOwner = await placeHold(t.db, { accountId, amount: C(2) });
    let before = { flushes: q.stats.flushes, mixed: mixedFlushStats.flushes };
    const [cap, deb] = await Promise.all([
      captureHold(t.db, { holdId: forEndUser.holdId, amount: C(1), category: "llm" }),
      debit(t.db, { accountId, amount: C(1), category: "web_search", pool: "end_user", actor: "paying_visitor" }),
    ]);
    expect([cap.charged, deb.charged]).toEqual([C(1), C(1)]);
    expect(q.stats.flushes - before.flushes).toBe(1); // one flush of the queue, two transactions
    expect(mixedFlushStats.flushes - before.mixed).toBe(0);
    // an owner-pool capture beside the same end-user debit shares no rollup row with other accounts: mixed
    before = { flushes: q.stats.flushes, mixed: mixedFlushStats.flushes };
    await Promise.all([
      captureHold(t.db, { holdId: forOwner.holdId, amount: C(1), category: "llm" }),
      debit(t.db, { accountId, amount: C(1), category: "web_search", pool: "end_user", actor: "paying_visitor" }),
    ]);
    expect(mixedFlushStats.flushes - before.mixed).toBe(1);
    expect((await getBalance(t.db, accountId)).balance).toBe(C(16));
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("a mixed flush whose reply was lost reports every item once and applies none twice", async () => {
    const { accountId } = await newOrgAccount(t.db, "mixed-retry");
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(10), now: new Date(Date.now() - 1000) });
    const h = await placeHold(t.db, { accountId, amount: C(4) });
    const { queue, attempts } = lostReply<LedgerOp, unknown>((db, ops, attempt) => flushLedgerOps(db, ops, attempt));
    const ops: LedgerOp[] = [
      { op: "resolve", item: { hold_id: h.holdId, action: "capture", amount: C(4).toString(), usage_event_id: crypto.randomUUID() } },
      { op: "apply", item: buildDebitItem("debit", { accountId, amount: C(2), category: "llm" }) },
      { op: "apply", item: buildDebitItem("hold", { accountId, amount: C(3), holdExpiresAt: new Date(Date.now() + 60_000) }) },
    ];
    const outs = (await Promise.all(ops.map((o) => queue.submit(o)))) as { status: string }[];
    expect(attempts).toEqual([{ n: 3, retry: false }, ...ops.map(() => ({ n: 1, retry: true }))]);
    expect(outs.map((o) => o.status)).toEqual(["ok", "ok", "ok"]);
    const bal = await getBalance(t.db, accountId);
    expect(bal.balance).toBe(C(4)); // 10 − 4 captured − 2 debited
    expect(bal.held).toBe(C(3));
    const [n] = await rows<{ n: string }>(t.db, sql`select count(*)::text as n from usage_events where account_id = ${accountId}`);
    expect(n.n).toBe("2");
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("a mixed flush locks every account it touches in id order before any work (the order all writers use)", async () => {
    const x = await newOrgAccount(t.db, "lock-x");
    const y = await newOrgAccount(t.db, "lock-y");
    const [low, high] = [x.accountId, y.accountId].sort();
    for (const accountId of [low, high]) await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(10), now: new Date(Date.now() - 1000) });
    const h = await placeHold(t.db, { accountId: high, amount: C(2) });
    const blocker = await t.db.$client.reserve();
    const probe = await t.db.$client.reserve();
    try {
      await blocker`begin`;
      await blocker`select 1 from accounts where id = ${high} for no key update`;
      // resolutions run first, and the hold is on `high`: without the up-front locking the flush would
      // wait on `high` before it ever locked `low` (and two such flushes could deadlock)
      const flush = flushLedgerOps(t.db, [
        { op: "resolve", item: { hold_id: h.holdId, action: "release" } },
        { op: "apply", item: buildDebitItem("debit", { accountId: low, amount: C(1), category: "llm" }) },
      ]);
      for (let i = 0; i < 200; i++) {
        const [w] = await probe<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%ledger_apply_mixed%'`;
        if (w.n > 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await probe`begin`;
      await expect(probe`select 1 from accounts where id = ${low} for no key update nowait`).rejects.toMatchObject({ code: "55P03" });
      await probe`rollback`;
      await blocker`rollback`;
      expect((await flush).map((r) => r.status)).toEqual(["ok", "ok"]);
    } finally {
      probe.release();
      blocker.release();
    }
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("two pools flushing holds, captures and debits over the same accounts never deadlock and stay exact", async () => {
    const other = (await import("@/db/client")).createDb(t.url, { max: 4 });
    try {
      const accounts = await Promise.all(Array.from({ length: 6 }, (_, i) => newOrgAccount(t.db, `mixed-${i}`)));
      for (const a of accounts) await grantBatch(t.db, { accountId: a.accountId, type: "paid", source: "top_up", amount: C(1000), now: new Date(Date.now() - 1000) });
      const mixedBefore = mixedFlushStats.flushes;
      const ROUNDS = 3;
      // every worker: hold on one account, debit another, capture the hold — both pools; workers start
      // 0–2 debits apart, so one flush carries some workers' captures and others' holds
      const results = await Promise.allSettled(
        Array.from({ length: 240 }, async (_, i) => {
          const db = i % 2 ? other : t.db;
          const a = accounts[i % 6].accountId;
          const b = accounts[(i * 5 + 1) % 6].accountId;
          for (let k = 0; k < i % 3; k++) await debit(db, { accountId: b, amount: C(1), category: "llm" });
          for (let round = 0; round < ROUNDS; round++) {
            const h = await placeHold(db, { accountId: a, amount: C(3) });
            await debit(db, { accountId: b, amount: C(1), category: "llm" });
            await captureHold(i % 3 ? db : i % 2 ? t.db : other, { holdId: h.holdId, amount: C(2) });
          }
        }),
      );
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      expect(mixedFlushStats.flushes).toBeGreaterThan(mixedBefore);
      // a deadlock would have failed a flush, which the queue retries item by item: none did
      expect(ledgerQueue(t.db).stats.retries + ledgerQueue(other).stats.retries).toBe(0);
      let total = 0n;
      for (const a of accounts) total += (await getBalance(t.db, a.accountId)).balance;
      // per worker and round 2 captured + 1 debited, + 0–2 head-start debits per worker (1 on average)
      expect(total).toBe(C(6000) - 240n * BigInt(ROUNDS) * C(3) - 240n * C(1));
      for (const a of accounts) expect((await getBalance(t.db, a.accountId)).held).toBe(0n);
    } finally {
      await other.$client.end({ timeout: 5 });
    }
    expect(await verifyLedger(t.db)).toEqual([]);
  });
});
