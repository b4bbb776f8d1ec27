import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/db/client";
import { useTestDb } from "@/test/db";
import {
  captureHold,
  debit,
  expireBatches,
  expireHolds,
  getBalance,
  grantBatch,
  hashRequest,
  IdempotencyConflictError,
  InsufficientCreditsError,
  placeHold,
  transferCredits,
  verifyLedger,
  withIdempotency,
} from "./index";
import { rows } from "./internal";
import { C, DAY, newOrgAccount } from "./test-helpers";

const t = useTestDb({ max: 10 });
let other: Db;
beforeAll(() => {
  other = createDb(t.url, { max: 6 }); // a second "process": its own pool and group-commit queues
});
afterAll(async () => {
  await other?.$client.end({ timeout: 5 });
});

describe("concurrency on one hot account", () => {
  it("500 parallel debits and holds (two pools + plain transactions): exactly what was there is spent", async () => {
    const { accountId } = await newOrgAccount(t.db, "hot");
    const now = new Date(Date.now() - 1000);
    await grantBatch(t.db, { accountId, type: "free", source: "signup_bonus", amount: C(100), expiresAt: new Date(now.getTime() + DAY), now });
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(150), now });
    await grantBatch(t.db, { accountId, type: "paid", source: "plan", amount: C(150), expiresAt: new Date(now.getTime() + 5 * DAY), now });
    const ops = Array.from({ length: 500 }, (_, i) => {
      const db = i % 3 === 0 ? other : t.db;
      if (i % 5 === 0) return placeHold(db, { accountId, amount: C(1) }).then((h) => ({ kind: "hold" as const, h }));
      if (i % 7 === 0) return t.db.transaction((tx) => debit(tx, { accountId, amount: C(1) })).then(() => ({ kind: "debit" as const }));
      return debit(db, { accountId, amount: C(1) }).then(() => ({ kind: "debit" as const }));
    });
    // also a concurrent expiry job and a transfer touching the same account
    const sub = await newOrgAccount(t.db, "sub");
    const side = [expireBatches(other), expireHolds(other)];
    const results = await Promise.allSettled(ops);
    await Promise.all(side);
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(ok).toHaveLength(400);
    expect(failed).toHaveLength(100);
    for (const f of failed) expect(f.reason).toBeInstanceOf(InsufficientCreditsError);
    let bal = await getBalance(t.db, accountId);
    expect(bal.available).toBe(0n);
    await expect(transferCredits(t.db, { fromAccountId: accountId, toAccountId: sub.accountId, amount: 1n })).rejects.toBeInstanceOf(
      InsufficientCreditsError,
    );
    // capture every hold concurrently (half above, half below the held amount), transfers racing
    const holds = ok.map((r) => (r as PromiseFulfilledResult<{ kind: string; h?: { holdId: string } }>).value).filter((v) => v.h);
    const caps = await Promise.all(
      holds.map((v, i) => captureHold(i % 2 ? other : t.db, { holdId: v.h!.holdId, amount: i % 2 ? C(2) : C("0.5") })),
    );
    const charged = caps.reduce((s, c) => s + c.charged, 0n);
    const uncollected = caps.reduce((s, c) => s + c.uncollected, 0n);
    const heldTotal = BigInt(holds.length) * C(1);
    bal = await getBalance(t.db, accountId);
    expect(bal.held).toBe(0n);
    // what the under-captures released was picked up by the over-captures' excess, never below zero
    expect(bal.balance + charged).toBe(heldTotal);
    expect(bal.balance).toBeGreaterThanOrEqual(0n);
    // every capture asked for is charged or recorded as uncollected (odd holds asked 2, even ones 0.5)
    const asked = holds.reduce((sum, _, i) => sum + (i % 2 ? C(2) : C("0.5")), 0n);
    expect(charged + uncollected).toBe(asked);
    const [neg] = await rows<{ n: string }>(t.db, sql`select count(*)::text as n from batches where remaining < 0 or held < 0`);
    expect(neg.n).toBe("0");
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("concurrent idempotent replays take effect once; other payload → 409", async () => {
    const { accountId, orgId } = await newOrgAccount(t.db, "idem");
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(100) });
    const body = { accountId, amount: C(3).toString(), category: "llm" };
    const requestHash = hashRequest(body);
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withIdempotency(i % 2 ? other : t.db, { scope: orgId, key: "k-1", requestHash }, (tx) =>
          debit(tx, { accountId, amount: C(3), category: "llm" }),
        ),
      ),
    );
    expect(new Set(runs.map((r) => r.usageEventId)).size).toBe(1);
    expect(runs.every((r) => r.charged === C(3) && typeof r.available === "bigint")).toBe(true);
    expect((await getBalance(t.db, accountId)).balance).toBe(C(97));
    await expect(
      withIdempotency(t.db, { scope: orgId, key: "k-1", requestHash: hashRequest({ ...body, amount: "4" }) }, (tx) =>
        debit(tx, { accountId, amount: C(4) }),
      ),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
    // a failed first attempt stores nothing: the retry runs again
    await expect(
      withIdempotency(t.db, { scope: orgId, key: "k-2", requestHash }, (tx) => debit(tx, { accountId, amount: C(1000) })),
    ).rejects.toBeInstanceOf(InsufficientCreditsError);
    const again = await withIdempotency(t.db, { scope: orgId, key: "k-2", requestHash }, (tx) => debit(tx, { accountId, amount: C(1) }));
    expect(again.charged).toBe(C(1));
    expect(await verifyLedger(t.db)).toEqual([]);
  });
});

describe("a flush that runs after the expiry job, with the time it started at", () => {
  // A flush takes its time (p_now) when it starts; waiting on another account's lock, it can run after
  // the expiry job has expired a batch's unheld part and marked it processed. Passing the times
  // explicitly replays that order without racing real locks.
  it("a release on a batch the job already processed expires what it frees, and verify stays clean", async () => {
    const { accountId } = await newOrgAccount(t.db, "released-after-expiry");
    const started = new Date();
    const expiresAt = new Date(started.getTime() + 60 * 60 * 1000);
    const batch = (await grantBatch(t.db, { accountId, type: "free", source: "promo", amount: C(5), expiresAt, now: new Date(started.getTime() - 1000) })).batch;
    const hold = await placeHold(t.db, { accountId, amount: C(3) });
    // The job, past the expiry: the 2 unheld credits expire; the 3 held stay with the hold.
    expect(await expireBatches(t.db, { now: new Date(expiresAt.getTime() + 1000) })).toMatchObject({ expired: 1, amount: C(2) });
    const { resolveHoldItems } = await import("./resolve-holds");
    const [released] = await resolveHoldItems(t.db, [{ hold_id: hold.holdId, action: "release" }], started);
    expect(released).toMatchObject({ released: C(3) });
    const [after] = await rows<{ remaining: string; held: string }>(t.db, sql`select remaining::text, held::text from batches where id = ${batch.id}`);
    expect(after).toEqual({ remaining: "0", held: "0" });
    const [expired] = await rows<{ total: string }>(t.db, sql`select (-sum(remaining_delta))::text as total from ledger_entries where batch_id = ${batch.id} and kind = 'expire'`);
    expect(expired.total).toBe(C(5).toString());
    expect((await getBalance(t.db, accountId)).available).toBe(0n);
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("what one item of a flush releases on a processed batch is not spent by the next item's excess", async () => {
    const { accountId } = await newOrgAccount(t.db, "captured-after-expiry");
    const started = new Date();
    const expiresAt = new Date(started.getTime() + 60 * 60 * 1000);
    const now = new Date(started.getTime() - 1000);
    const promo = (await grantBatch(t.db, { accountId, type: "free", source: "promo", amount: C(5), expiresAt, now })).batch;
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(10), now });
    // Free first: both holds earmark the promo batch.
    const released = await placeHold(t.db, { accountId, amount: C(2) });
    const captured = await placeHold(t.db, { accountId, amount: C(1) });
    await expireBatches(t.db, { now: new Date(expiresAt.getTime() + 1000) });
    const { resolveHoldItems } = await import("./resolve-holds");
    const [, capture] = await resolveHoldItems(
      t.db,
      [
        { hold_id: released.holdId, action: "release" },
        { hold_id: captured.holdId, action: "capture", amount: C(3).toString() },
      ],
      started,
    );
    // 1 from its own earmark, the 2 over it from the paid batch, not from the 2 just released on the promo batch.
    expect(capture).toMatchObject({ charged: C(3), uncollected: 0n });
    const [after] = await rows<{ remaining: string }>(t.db, sql`select remaining::text from batches where id = ${promo.id}`);
    expect(after.remaining).toBe("0");
    expect((await getBalance(t.db, accountId)).available).toBe(C(8));
    expect(await verifyLedger(t.db)).toEqual([]);
  });
});
