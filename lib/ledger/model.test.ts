import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { compareBatches } from "./consumption-order";
import {
  captureHold,
  debit,
  expireBatches,
  expireHolds,
  getBalance,
  grantBatch,
  HoldAlreadyResolvedError,
  HoldExpiredError,
  InsufficientCreditsError,
  placeHold,
  releaseHold,
  transferCredits,
  verifyLedger,
  voidBatchRemainder,
} from "./index";
import { DAY, newOrgAccount } from "./test-helpers";

/**
 * Randomized model-based test: long random sequences of verbs run against the ledger and against a
 * tiny in-memory model of SPEC §4–§5; balances and every batch must agree, then the verifier passes.
 */
const t = useTestDb();

interface MBatch {
  id: string;
  account: number;
  type: "free" | "paid";
  priority: number | null;
  expiresAt: Date | null;
  addedAt: Date;
  seq: bigint;
  remaining: bigint;
  held: bigint;
  voided: boolean;
}
interface MHold {
  id: string;
  account: number;
  amount: bigint;
  expiresAt: Date;
  open: boolean;
  /** Resolved by the expiry job: later calls hear "expired", not "already resolved". */
  expiredByJob?: boolean;
  earmarks: { b: MBatch; amount: bigint }[];
}

function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

async function runSequence(seed: number, steps: number) {
  const r = rng(seed);
  const accounts = [await newOrgAccount(t.db, `m${seed}a`), await newOrgAccount(t.db, `m${seed}b`), await newOrgAccount(t.db, `m${seed}c`)];
  const batches: MBatch[] = [];
  const holds: MHold[] = [];
  let seq = 0n;
  let now = new Date(Date.now() - 400 * DAY); // far enough back that time can run forward
  const expired = (b: MBatch) => b.expiresAt !== null && b.expiresAt.getTime() <= now.getTime();
  const spendable = (a: number) =>
    batches.filter((b) => b.account === a && b.remaining > b.held && !b.voided && !expired(b) && b.addedAt <= now).sort(compareBatches);
  const available = (a: number) => spendable(a).reduce((s, b) => s + b.remaining - b.held, 0n);
  const take = (a: number, amount: bigint, mode: "consume" | "hold") => {
    const out: { b: MBatch; amount: bigint }[] = [];
    let need = amount;
    for (const b of spendable(a)) {
      if (need === 0n) break;
      const x = b.remaining - b.held < need ? b.remaining - b.held : need;
      if (mode === "consume") b.remaining -= x;
      else b.held += x;
      need -= x;
      out.push({ b, amount: x });
    }
    return { out, short: need };
  };
  const settle = (h: MHold, actual: bigint) => {
    let left = actual < h.amount ? actual : h.amount;
    let charged = 0n;
    let released = 0n;
    for (const e of h.earmarks) {
      const x = e.amount < left ? e.amount : left;
      left -= x;
      e.b.remaining -= x;
      e.b.held -= e.amount;
      charged += x;
      const rel = e.amount - x;
      released += rel;
      if (rel > 0n && (e.b.voided || expired(e.b))) e.b.remaining -= rel;
    }
    h.open = false;
    return { charged, released };
  };
  const amt = () => BigInt(1 + r(4)) * 1_000_000n + BigInt(r(1_000_000));

  for (let step = 0; step < steps; step++) {
    const a = r(3);
    const acc = accounts[a].accountId;
    const op = r(100);
    if (op < 14) {
      const type = r(2) ? "free" : "paid";
      const expiresAt = r(4) === 0 ? null : new Date(now.getTime() + (1 + r(72)) * 3600_000);
      const priority = r(8) === 0 ? r(3) : null;
      const amount = BigInt(1 + r(20)) * 1_000_000n;
      const g = await grantBatch(t.db, { accountId: acc, type, source: type === "free" ? "promo" : "top_up", amount, expiresAt, priority, now });
      batches.push({ id: g.batch.id, account: a, type, priority, expiresAt, addedAt: now, seq: ++seq, remaining: amount, held: 0n, voided: false });
    } else if (op < 40) {
      const amount = amt();
      const avail = available(a);
      if (avail < amount) {
        await expect(debit(t.db, { accountId: acc, amount, now })).rejects.toBeInstanceOf(InsufficientCreditsError);
      } else {
        const res = await debit(t.db, { accountId: acc, amount, now });
        const { out } = take(a, amount, "consume");
        expect(res.allocations).toEqual(out.map((o) => ({ batchId: o.b.id, amount: o.amount })));
        expect(res.available).toBe(available(a));
      }
    } else if (op < 58) {
      const amount = amt();
      const expiresAt = new Date(now.getTime() + (1 + r(120)) * 60_000);
      if (available(a) < amount) {
        await expect(placeHold(t.db, { accountId: acc, amount, now, expiresAt })).rejects.toBeInstanceOf(InsufficientCreditsError);
      } else {
        const res = await placeHold(t.db, { accountId: acc, amount, now, expiresAt });
        const { out } = take(a, amount, "hold");
        expect(res.earmarks).toEqual(out.map((o) => ({ batchId: o.b.id, amount: o.amount })));
        holds.push({ id: res.holdId, account: a, amount, expiresAt, open: true, earmarks: out });
      }
    } else if (op < 72 && holds.length > 0) {
      const h = holds[r(holds.length)];
      const actual = r(3) === 0 ? h.amount + amt() : BigInt(1 + r(Number(h.amount)));
      if (!h.open) {
        await expect(captureHold(t.db, { holdId: h.id, amount: actual, now })).rejects.toBeInstanceOf(h.expiredByJob ? HoldExpiredError : HoldAlreadyResolvedError);
      } else if (h.expiresAt <= now) {
        await expect(captureHold(t.db, { holdId: h.id, amount: actual, now })).rejects.toBeInstanceOf(HoldExpiredError);
      } else {
        const res = await captureHold(t.db, { holdId: h.id, amount: actual, now });
        const s = settle(h, actual);
        let charged = s.charged;
        let uncollected = 0n;
        if (actual > h.amount) {
          const { out, short } = take(h.account, actual - h.amount, "consume");
          charged += out.reduce((x, o) => x + o.amount, 0n);
          uncollected = short;
        }
        expect([res.charged, res.released, res.uncollected]).toEqual([charged, s.released, uncollected]);
      }
    } else if (op < 80 && holds.length > 0) {
      const h = holds[r(holds.length)];
      if (!h.open) {
        await expect(releaseHold(t.db, { holdId: h.id, now })).rejects.toBeInstanceOf(h.expiredByJob ? HoldExpiredError : HoldAlreadyResolvedError);
      } else {
        const res = await releaseHold(t.db, { holdId: h.id, now });
        expect(res.released).toBe(settle(h, 0n).released);
      }
    } else if (op < 86) {
      const to = (a + 1 + r(2)) % 3;
      const amount = amt();
      const chosen = r(2) ? null : new Date(now.getTime() + (1 + r(48)) * 3600_000);
      if (available(a) < amount) {
        await expect(transferCredits(t.db, { fromAccountId: acc, toAccountId: accounts[to].accountId, amount, expiresAt: chosen, now })).rejects.toBeInstanceOf(
          InsufficientCreditsError,
        );
      } else {
        const res = await transferCredits(t.db, { fromAccountId: acc, toAccountId: accounts[to].accountId, amount, expiresAt: chosen, now });
        const { out } = take(a, amount, "consume");
        expect(res.created).toHaveLength(out.length);
        out.forEach((o, i) => {
          const exp = o.b.expiresAt === null ? chosen : chosen === null ? o.b.expiresAt : chosen < o.b.expiresAt ? chosen : o.b.expiresAt;
          expect(res.created[i].expiresAt?.getTime() ?? null).toBe(exp?.getTime() ?? null);
          batches.push({ id: res.created[i].batchId, account: to, type: o.b.type, priority: null, expiresAt: exp, addedAt: now, seq: ++seq, remaining: o.amount, held: 0n, voided: false });
        });
      }
    } else if (op < 88 && batches.length > 0) {
      const b = batches[r(batches.length)];
      const res = await voidBatchRemainder(t.db, { batchId: b.id, now });
      const v = b.voided ? 0n : b.remaining - b.held;
      expect(res.voided).toBe(v);
      b.remaining -= v;
      b.voided = true;
    } else if (op < 94) {
      now = new Date(now.getTime() + (1 + r(600)) * 60_000);
    } else {
      await expireBatches(t.db, { now });
      for (const b of batches) if (expired(b) && b.remaining > b.held) b.remaining = b.held;
      await expireHolds(t.db, { now });
      for (const h of holds) {
        if (!h.open || h.expiresAt > now) continue;
        settle(h, 0n);
        h.expiredByJob = true;
      }
    }

    if (step % 25 === 0 || step === steps - 1) {
      for (let i = 0; i < 3; i++) {
        const bal = await getBalance(t.db, accounts[i].accountId, { now, includeInactive: true });
        expect(bal.available).toBe(available(i));
        const mine = batches.filter((b) => b.account === i);
        const byId = new Map(bal.batches.map((b) => [b.id, b]));
        for (const b of mine) {
          expect([byId.get(b.id)?.remaining, byId.get(b.id)?.held], `batch ${b.id} at step ${step}`).toEqual([b.remaining, b.held]);
        }
      }
    }
  }
  expect(await verifyLedger(t.db)).toEqual([]);
  if (process.env.LEDGER_MODEL_DEBUG) {
    const kinds = await t.db.execute(sql`select kind, count(*)::int n from ledger_entries group by kind order by kind`);
    console.log(seed, JSON.stringify(kinds), holds.filter((h) => !h.open).length, holds.length);
  }
}

describe("randomized sequences vs an in-memory model", () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: 400 random steps agree with the model`, async () => {
      await runSequence(seed, 400);
    });
  }
});
