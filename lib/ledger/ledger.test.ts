import { sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { InvalidInputError, NotFoundError } from "@/lib/errors";
import {
  AccountNotFoundError,
  captureHold,
  debit,
  expireBatches,
  expireHolds,
  getBalance,
  grantBatch,
  GrantConflictError,
  HoldAlreadyResolvedError,
  HoldExpiredError,
  HoldNotFoundError,
  InsufficientCreditsError,
  placeHold,
  releaseHold,
  transferCredits,
  verifyLedger,
  voidBatchRemainder,
  getOrCreateOrgAccount,
  getOrCreateEndUserAccount,
} from "./index";
import { rows } from "./internal";
import { C, DAY, newOrgAccount, snapshot } from "./test-helpers";

const t = useTestDb();

async function expectNoBreaches() {
  expect(await verifyLedger(t.db)).toEqual([]);
}

/** §17's account: F1 Free 5 (3d), F2 Free 2 (10d), P1 Paid 50 (30d), P2 Paid 100 (none). */
async function example17Account(now: Date) {
  const { accountId, orgId } = await newOrgAccount(t.db, "ex17");
  const g = (type: "free" | "paid", amount: number, days: number | null) =>
    grantBatch(t.db, {
      accountId,
      type,
      source: type === "free" ? "promo" : "top_up",
      amount: C(amount),
      expiresAt: days === null ? null : new Date(now.getTime() + days * DAY),
      now,
    }).then((r) => r.batch.id);
  const P2 = await g("paid", 100, null);
  const P1 = await g("paid", 50, 30);
  const F2 = await g("free", 2, 10);
  const F1 = await g("free", 5, 3);
  return { accountId, orgId, F1, F2, P1, P2 };
}

async function remaining(batchId: string): Promise<bigint> {
  const [r] = await rows<{ remaining: string }>(t.db, sql`select remaining::text from batches where id = ${batchId}`);
  return BigInt(r.remaining);
}

async function allocationsOf(eventId: string) {
  const list = await rows<{ batch_id: string; amount: string }>(
    t.db,
    sql`select batch_id, amount::text from usage_allocations where usage_event_id = ${eventId}`,
  );
  return Object.fromEntries(list.map((a) => [a.batch_id, BigInt(a.amount)]));
}

describe("SPEC §17 worked examples", () => {
  const now = new Date(Date.now() - 60_000);

  it("1–3: debits in order, hold + partial capture, expiry before the job runs", async () => {
    const { accountId, F1, F2, P1, P2 } = await example17Account(now);
    // 1.
    const d1 = await debit(t.db, { accountId, amount: C(6), category: "llm" });
    expect(d1.allocations).toEqual([
      { batchId: F1, amount: C(5) },
      { batchId: F2, amount: C(1) },
    ]);
    const d2 = await debit(t.db, { accountId, amount: C(3) });
    expect(d2.allocations).toEqual([
      { batchId: F2, amount: C(1) },
      { batchId: P1, amount: C(2) },
    ]);
    expect(await allocationsOf(d1.usageEventId)).toEqual({ [F1]: C(5), [F2]: C(1) });
    expect(await allocationsOf(d2.usageEventId)).toEqual({ [F2]: C(1), [P1]: C(2) });
    // 2.
    let bal = await getBalance(t.db, accountId);
    expect(bal.balance).toBe(C(148));
    const hold = await placeHold(t.db, { accountId, amount: C(4) });
    expect(hold.earmarks).toEqual([{ batchId: P1, amount: C(4) }]);
    bal = await getBalance(t.db, accountId);
    expect([bal.balance, bal.available, bal.held]).toEqual([C(148), C(144), C(4)]);
    const cap = await captureHold(t.db, { holdId: hold.holdId, amount: C("2.5") });
    expect([cap.charged, cap.released, cap.uncollected]).toEqual([C("2.5"), C("1.5"), 0n]);
    expect(cap.allocations).toEqual([{ batchId: P1, amount: C("2.5") }]);
    bal = await getBalance(t.db, accountId);
    expect([bal.balance, bal.available, bal.held]).toEqual([C("145.5"), C("145.5"), 0n]);
    expect(bal.free.balance).toBe(0n);
    expect(bal.paid.balance).toBe(C("145.5"));
    // 3. past P1's expiry, job not run
    const later = new Date(now.getTime() + 31 * DAY);
    bal = await getBalance(t.db, accountId, { now: later });
    expect(bal.available).toBe(C(100));
    const d3 = await debit(t.db, { accountId, amount: C(1), now: later });
    expect(d3.allocations).toEqual([{ batchId: P2, amount: C(1) }]);
    expect(await remaining(P1)).toBe(C("45.5"));
    const job = await expireBatches(t.db, { now: later });
    expect(job).toEqual({ expired: 1, amount: C("45.5"), accounts: 1 }); // F1/F2 are empty: only P1's remainder
    const expires = await rows<{ batch_id: string; remaining_delta: string }>(
      t.db,
      sql`select batch_id, remaining_delta::text from ledger_entries where kind = 'expire' and remaining_delta <> 0`,
    );
    expect(expires).toEqual([{ batch_id: P1, remaining_delta: (-C("45.5")).toString() }]);
    expect(await expireBatches(t.db, { now: later })).toEqual({ expired: 0, amount: 0n, accounts: 0 });
    // every past-expiry batch is marked processed (the emptied F1/F2 too, without an entry) and leaves
    // the job's work list; P2 has no expiry
    const marked = await rows<{ id: string; done: boolean }>(
      t.db,
      sql`select id, expired_at is not null as done from batches where account_id = ${accountId} and expires_at is not null order by seq`,
    );
    expect(marked.every((b) => b.done)).toBe(true);
    expect(marked.map((b) => b.id)).toContain(P1);
    await expectNoBreaches();
  });

  it("4: hold 1, capture 3 → charged 1, uncollected 2; then 402 until credits arrive", async () => {
    const { accountId } = await newOrgAccount(t.db, "ex4");
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(1) });
    const hold = await placeHold(t.db, { accountId, amount: C(1) });
    const cap = await captureHold(t.db, { holdId: hold.holdId, amount: C(3) });
    expect([cap.charged, cap.released, cap.uncollected, cap.available]).toEqual([C(1), 0n, C(2), 0n]);
    expect((await getBalance(t.db, accountId)).balance).toBe(0n);
    for (let i = 0; i < 3; i++) {
      const err = await placeHold(t.db, { accountId, amount: C("0.1") }).catch((e) => e);
      expect(err).toBeInstanceOf(InsufficientCreditsError);
      expect(err.status).toBe(402);
      expect(err.code).toBe("insufficient_credits");
      expect(err.details).toMatchObject({ account_id: accountId, shortfall: "0.1" });
    }
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(1) });
    await expect(placeHold(t.db, { accountId, amount: C("0.1") })).resolves.toBeTruthy();
    const [ev] = await rows<{ uncollected: string }>(t.db, sql`select uncollected::text from usage_events where id = ${cap.usageEventId}`);
    expect(ev.uncollected).toBe(C(2).toString());
    await expectNoBreaches();
  });

  it("5: agency assigns 8 to a sub-account and reclaims: nothing created or lost", async () => {
    const agency = await newOrgAccount(t.db, "agency");
    const sub = await newOrgAccount(t.db, "sub");
    const now2 = new Date();
    const F1 = (await grantBatch(t.db, { accountId: agency.accountId, type: "free", source: "promo", amount: C(5), expiresAt: new Date(now2.getTime() + 3 * DAY), now: now2 })).batch;
    const P2 = (await grantBatch(t.db, { accountId: agency.accountId, type: "paid", source: "top_up", amount: C(100), now: now2 })).batch;
    const chosen = new Date(now2.getTime() + 20 * DAY);
    const tr = await transferCredits(t.db, { fromAccountId: agency.accountId, toAccountId: sub.accountId, amount: C(8), expiresAt: chosen });
    expect(tr.outflows).toEqual([
      { batchId: F1.id, amount: C(5) },
      { batchId: P2.id, amount: C(3) },
    ]);
    expect(tr.created.map((c) => [c.type, c.amount, c.expiresAt?.getTime()])).toEqual([
      ["free", C(5), F1.expiresAt!.getTime()], // never later than the source's
      ["paid", C(3), chosen.getTime()],
    ]);
    expect((await getBalance(t.db, agency.accountId)).balance).toBe(C(97));
    expect((await getBalance(t.db, sub.accountId)).balance).toBe(C(8));
    await debit(t.db, { accountId: sub.accountId, amount: C(2) });
    const back = await transferCredits(t.db, { fromAccountId: sub.accountId, toAccountId: agency.accountId, amount: C(6) });
    expect(back.created.map((c) => [c.type, c.amount])).toEqual([
      ["free", C(3)],
      ["paid", C(3)],
    ]);
    expect((await getBalance(t.db, sub.accountId)).balance).toBe(0n);
    expect((await getBalance(t.db, agency.accountId)).balance).toBe(C(103));
    const [tot] = await rows<{ s: string }>(t.db, sql`select sum(remaining_delta)::text s from ledger_entries where transfer_id is not null`);
    expect(tot.s).toBe("0");
    await expectNoBreaches();
  });
});

describe("verbs: bad input changes nothing", () => {
  let accountId: string;
  let before: string;
  beforeEach(async () => {
    ({ accountId } = await newOrgAccount(t.db, "bad"));
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(10) });
    before = await snapshot(t.db);
  });
  const unchanged = async () => {
    expect(await snapshot(t.db)).toBe(before);
    await expectNoBreaches();
  };
  const missing = "00000000-0000-4000-8000-000000000000";

  it("zero / negative / non-bigint amounts", async () => {
    for (const amount of [0n, -1n, 1 as unknown as bigint]) {
      await expect(debit(t.db, { accountId, amount })).rejects.toBeInstanceOf(InvalidInputError);
      await expect(placeHold(t.db, { accountId, amount })).rejects.toBeInstanceOf(InvalidInputError);
      await expect(grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount })).rejects.toBeInstanceOf(InvalidInputError);
      await expect(transferCredits(t.db, { fromAccountId: accountId, toAccountId: missing, amount })).rejects.toBeInstanceOf(InvalidInputError);
    }
    const hold = await placeHold(t.db, { accountId, amount: C(1) });
    before = await snapshot(t.db);
    await expect(captureHold(t.db, { holdId: hold.holdId, amount: 0n })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(captureHold(t.db, { holdId: hold.holdId, amount: -5n })).rejects.toBeInstanceOf(InvalidInputError);
    await unchanged();
  });

  it("unknown account / malformed ids / bad enums", async () => {
    await expect(debit(t.db, { accountId: missing, amount: 1n })).rejects.toBeInstanceOf(AccountNotFoundError);
    await expect(placeHold(t.db, { accountId: missing, amount: 1n })).rejects.toBeInstanceOf(AccountNotFoundError);
    await expect(grantBatch(t.db, { accountId: missing, type: "paid", source: "top_up", amount: 1n })).rejects.toBeInstanceOf(AccountNotFoundError);
    await expect(getBalance(t.db, missing)).rejects.toBeInstanceOf(NotFoundError);
    await expect(transferCredits(t.db, { fromAccountId: accountId, toAccountId: missing, amount: 1n })).rejects.toBeInstanceOf(AccountNotFoundError);
    await expect(debit(t.db, { accountId: "nope", amount: 1n })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(debit(t.db, { accountId, amount: 1n, actor: "hacker" as never })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(debit(t.db, { accountId, amount: 1n, category: "crypto" as never })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(grantBatch(t.db, { accountId, type: "gold" as never, source: "top_up", amount: 1n })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: 1n, expiresAt: new Date(Date.now() - 1000) })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(voidBatchRemainder(t.db, { batchId: missing })).rejects.toBeInstanceOf(NotFoundError);
    await expect(captureHold(t.db, { holdId: missing, amount: 1n })).rejects.toBeInstanceOf(HoldNotFoundError);
    await expect(releaseHold(t.db, { holdId: missing })).rejects.toBeInstanceOf(HoldNotFoundError);
    await unchanged();
  });

  it("insufficient credits: debit, hold, transfer above what the source holds", async () => {
    const other = await newOrgAccount(t.db, "other");
    before = await snapshot(t.db);
    const e1 = await debit(t.db, { accountId, amount: C("10.000001") }).catch((e) => e);
    expect(e1).toBeInstanceOf(InsufficientCreditsError);
    expect(e1.details).toMatchObject({ account_id: accountId, shortfall: "0.000001" });
    await expect(placeHold(t.db, { accountId, amount: C(11) })).rejects.toBeInstanceOf(InsufficientCreditsError);
    const e3 = await transferCredits(t.db, { fromAccountId: accountId, toAccountId: other.accountId, amount: C(12) }).catch((e) => e);
    expect(e3).toBeInstanceOf(InsufficientCreditsError);
    expect(e3.details.shortfall).toBe("2");
    await expect(transferCredits(t.db, { fromAccountId: accountId, toAccountId: accountId, amount: C(1) })).rejects.toBeInstanceOf(InvalidInputError);
    await unchanged();
  });

  it("expired hold, double capture, capture after release, release after capture", async () => {
    const now = new Date();
    const h1 = await placeHold(t.db, { accountId, amount: C(1), now, expiresAt: new Date(now.getTime() + 1000) });
    const h2 = await placeHold(t.db, { accountId, amount: C(1) });
    const h3 = await placeHold(t.db, { accountId, amount: C(1) });
    await captureHold(t.db, { holdId: h2.holdId, amount: C("0.5") });
    await releaseHold(t.db, { holdId: h3.holdId });
    before = await snapshot(t.db);
    await expect(captureHold(t.db, { holdId: h1.holdId, amount: C(1), now: new Date(now.getTime() + 2000) })).rejects.toBeInstanceOf(HoldExpiredError);
    const dbl = await captureHold(t.db, { holdId: h2.holdId, amount: C("0.5") }).catch((e) => e);
    expect(dbl).toBeInstanceOf(HoldAlreadyResolvedError);
    expect([dbl.status, dbl.code]).toEqual([409, "hold_already_resolved"]);
    await expect(captureHold(t.db, { holdId: h3.holdId, amount: C(1) })).rejects.toBeInstanceOf(HoldAlreadyResolvedError);
    await expect(releaseHold(t.db, { holdId: h2.holdId })).rejects.toBeInstanceOf(HoldAlreadyResolvedError);
    await expect(releaseHold(t.db, { holdId: h3.holdId })).rejects.toBeInstanceOf(HoldAlreadyResolvedError);
    await unchanged();
    // The job then expires h1 (once).
    expect(await expireHolds(t.db, { now: new Date(now.getTime() + 2000) })).toEqual({ expired: 1, released: C(1) });
    expect(await expireHolds(t.db, { now: new Date(now.getTime() + 2000) })).toEqual({ expired: 0, released: 0n });
    // Once expired, it answers as expired, not as "already resolved" by some other call.
    await expect(releaseHold(t.db, { holdId: h1.holdId })).rejects.toBeInstanceOf(HoldExpiredError);
    await expect(captureHold(t.db, { holdId: h1.holdId, amount: C(1) })).rejects.toBeInstanceOf(HoldExpiredError);
    await expectNoBreaches();
  });
});

describe("verbs", () => {
  it("grantBatch with external_ref grants once; different terms conflict", async () => {
    const { accountId } = await newOrgAccount(t.db);
    const a = await grantBatch(t.db, { accountId, type: "paid", source: "pack", amount: C(500), externalRef: "cs_1" });
    const b = await grantBatch(t.db, { accountId, type: "paid", source: "pack", amount: C(500), externalRef: "cs_1" });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.batch.id).toBe(a.batch.id);
    const bonus = await grantBatch(t.db, { accountId, type: "free", source: "pack_bonus", amount: C(50), externalRef: "cs_1", expiresAt: new Date(Date.now() + 30 * DAY) });
    expect(bonus.created).toBe(true);
    await expect(grantBatch(t.db, { accountId, type: "paid", source: "pack", amount: C(5), externalRef: "cs_1" })).rejects.toBeInstanceOf(GrantConflictError);
    // concurrent deliveries (webhook twice + success page thrice)
    const all = await Promise.all(Array.from({ length: 5 }, () => grantBatch(t.db, { accountId, type: "paid", source: "pack", amount: C(7), externalRef: "cs_2" })));
    expect(all.filter((r) => r.created)).toHaveLength(1);
    expect((await getBalance(t.db, accountId)).balance).toBe(C(557));
    await expectNoBreaches();
  });

  it("accounts: one per org pool and per (bot, end user)", async () => {
    const { orgId, accountId } = await newOrgAccount(t.db);
    expect((await getOrCreateOrgAccount(t.db, orgId)).id).toBe(accountId);
    const [bot] = await rows<{ id: string }>(t.db, sql`insert into bots (organization_id, name, type) values (${orgId}, 'b', 'coding') returning id`);
    const [eu] = await rows<{ id: string }>(t.db, sql`insert into end_users (bot_id, external_id) values (${bot.id}, 'v1') returning id`);
    const accs = await Promise.all(
      Array.from({ length: 4 }, () => getOrCreateEndUserAccount(t.db, { organizationId: orgId, botId: bot.id, endUserId: eu.id })),
    );
    expect(new Set(accs.map((a) => a.id)).size).toBe(1);
    expect(accs[0]).toMatchObject({ kind: "end_user", botId: bot.id, endUserId: eu.id, organizationId: orgId });
    await expect(getOrCreateOrgAccount(t.db, "00000000-0000-4000-8000-000000000001")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("debit records the usage event metadata and the daily rollup", async () => {
    const { accountId, orgId } = await newOrgAccount(t.db);
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(10) });
    const occurredAt = new Date("2030-05-05T10:00:00Z");
    const r = await debit(t.db, {
      accountId,
      amount: C("0.25"),
      actor: "free_visitor",
      pool: "free_reserve",
      category: "web_search",
      quantities: { searches: 1 },
      occurredAt,
      rateCardVersion: 3,
      description: "search",
    });
    expect(r.available).toBe(C("9.75"));
    const [ev] = await rows<Record<string, unknown>>(t.db, sql`select actor, pool, category, quantities, cost::text, charged::text, rate_card_version, organization_id from usage_events where id = ${r.usageEventId}`);
    expect(ev).toMatchObject({ actor: "free_visitor", pool: "free_reserve", category: "web_search", quantities: { searches: 1 }, cost: "250000", charged: "250000", rate_card_version: 3, organization_id: orgId });
    const [d] = await rows<Record<string, unknown>>(t.db, sql`select day::text, charged::text, events::int from usage_daily where organization_id = ${orgId}`);
    expect(d).toEqual({ day: "2030-05-05", charged: "250000", events: 1 });
  });

  it("capture: from an earmarked batch that expired after the hold; released part of an expired batch expires", async () => {
    const { accountId } = await newOrgAccount(t.db);
    const now = new Date();
    const F = (await grantBatch(t.db, { accountId, type: "free", source: "promo", amount: C(5), expiresAt: new Date(now.getTime() + 10_000), now })).batch;
    const P = (await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(10), now })).batch;
    const h = await placeHold(t.db, { accountId, amount: C(4), now, expiresAt: new Date(now.getTime() + 60_000) });
    const later = new Date(now.getTime() + 20_000); // F expired, hold still valid
    expect(await expireBatches(t.db, { now: later })).toEqual({ expired: 1, amount: C(1), accounts: 1 }); // only the unheld part
    expect(await remaining(F.id)).toBe(C(4));
    const cap = await captureHold(t.db, { holdId: h.holdId, amount: C(3), now: later });
    expect(cap.allocations).toEqual([{ batchId: F.id, amount: C(3) }]);
    expect(cap.released).toBe(C(1));
    expect(await remaining(F.id)).toBe(0n); // the released 1 expired at once
    expect(await remaining(P.id)).toBe(C(10));
    await expectNoBreaches();
  });

  it("capture above the hold takes the excess from available batches", async () => {
    const { accountId } = await newOrgAccount(t.db);
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(10) });
    const h = await placeHold(t.db, { accountId, amount: C(2), category: "llm", botId: null });
    const cap = await captureHold(t.db, { holdId: h.holdId, amount: C(5), quantities: { output_tokens: 900 } });
    expect([cap.charged, cap.released, cap.uncollected, cap.available]).toEqual([C(5), 0n, 0n, C(5)]);
    await expectNoBreaches();
  });

  it("voidBatchRemainder voids the unspent part once; held part voided on release", async () => {
    const { accountId } = await newOrgAccount(t.db);
    const B = (await grantBatch(t.db, { accountId, type: "paid", source: "pack", amount: C(10) })).batch;
    await debit(t.db, { accountId, amount: C(3) });
    const h = await placeHold(t.db, { accountId, amount: C(2) });
    expect(await voidBatchRemainder(t.db, { batchId: B.id, reason: "refund" })).toEqual({ batchId: B.id, voided: C(5) });
    expect(await voidBatchRemainder(t.db, { batchId: B.id })).toEqual({ batchId: B.id, voided: 0n });
    expect((await getBalance(t.db, accountId)).balance).toBe(0n);
    await expect(debit(t.db, { accountId, amount: 1n })).rejects.toBeInstanceOf(InsufficientCreditsError);
    await releaseHold(t.db, { holdId: h.holdId });
    expect(await remaining(B.id)).toBe(0n);
    await expectNoBreaches();
  });

  it("getBalance lists batches in consumption order with the Free/Paid split", async () => {
    const { accountId } = await newOrgAccount(t.db);
    const now = new Date(Date.now() - 1000);
    await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(10), now });
    await grantBatch(t.db, { accountId, type: "free", source: "signup_bonus", amount: C(3), expiresAt: new Date(now.getTime() + DAY), now });
    await placeHold(t.db, { accountId, amount: C(4) });
    const bal = await getBalance(t.db, accountId);
    expect(bal.batches.map((b) => b.type)).toEqual(["free", "paid"]);
    expect(bal.free).toEqual({ balance: C(3), held: C(3), available: 0n });
    expect(bal.paid).toEqual({ balance: C(10), held: C(1), available: C(9) });
    expect([bal.balance, bal.held, bal.available]).toEqual([C(13), C(4), C(9)]);
  });

  it("the expiry job pages by accounts: pages that expire nothing (spent batches) do not end it early", async () => {
    const now = new Date(Date.now() - 1000);
    const made = [await newOrgAccount(t.db, "page-a"), await newOrgAccount(t.db, "page-b"), await newOrgAccount(t.db, "page-c")];
    // in id order (the job's order): the first two are spent before their expiry, the last has credits left
    const [spent1, spent2, full] = made.map((a) => a.accountId).sort();
    for (const accountId of [spent1, spent2, full]) {
      await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(2), expiresAt: new Date(now.getTime() + DAY), now });
      if (accountId !== full) await debit(t.db, { accountId, amount: C(2), now });
    }
    const later = new Date(now.getTime() + 2 * DAY);
    // what the scheduled job runs, here a page of one account at a time: it goes on until a page is not full
    const { expireAllDueBatches } = await import("@/lib/jobs/ledger");
    expect((await expireAllDueBatches(t.db, { now: later, pageSize: 1 })).expired).toBeGreaterThanOrEqual(1);
    const mine = await rows<{ account_id: string; done: boolean; remaining: string }>(
      t.db,
      sql`select account_id, expired_at is not null as done, remaining::text from batches where account_id in (${spent1}, ${spent2}, ${full})`,
    );
    expect(mine.every((b) => b.done && b.remaining === "0")).toBe(true);
    const [expired] = await rows<{ s: string }>(t.db, sql`select coalesce(sum(remaining_delta), 0)::text as s from ledger_entries where account_id = ${full} and kind = 'expire'`);
    expect(expired.s).toBe((-C(2)).toString());
    await expectNoBreaches();
  });

  it("the verifier reports a batch marked expired that still has an unheld remainder", async () => {
    const { accountId } = await newOrgAccount(t.db, "expired-mark");
    const g = await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: C(5), expiresAt: new Date(Date.now() + DAY), now: new Date(Date.now() - 1000) });
    await t.db.execute(sql`update batches set expired_at = now() + interval '2 days' where id = ${g.batch.id}`);
    const breaches = await verifyLedger(t.db);
    expect(breaches.map((b) => b.invariant)).toEqual(["1.batch_expired_consistently"]);
    await t.db.execute(sql`update batches set expired_at = null where id = ${g.batch.id}`);
  });

  it("the verifier reports a purchase granted into two accounts, and a missing at-most-once guard", async () => {
    const a = await newOrgAccount(t.db, "twice-a");
    const b = await newOrgAccount(t.db, "twice-b");
    // The same paid Checkout Session granted to two pools: the (account, source, ref) key allows it.
    await grantBatch(t.db, { accountId: a.accountId, type: "paid", source: "pack", amount: C(500), externalRef: "cs_test_granted_twice" });
    const second = await grantBatch(t.db, { accountId: b.accountId, type: "paid", source: "pack", amount: C(500), externalRef: "cs_test_granted_twice" });
    expect((await verifyLedger(t.db)).map((x) => x.invariant)).toEqual(["4.purchase_grants_once"]);
    // Clear the duplicate reference so the tests after this one see a clean ledger.
    await t.db.execute(sql`update batches set external_ref = null where id = ${second.batch.id}`);
    await expectNoBreaches();

    await t.db.execute(sql`alter table ledger_entries disable trigger ledger_entries_no_truncate`);
    await t.db.execute(sql`alter index orders_invoice_unique rename to orders_invoice_unique_gone`);
    try {
      const breaches = await verifyLedger(t.db);
      expect(breaches.map((x) => [x.invariant, x.samples])).toEqual([
        ["2.entries_immutable", [{ trigger: "ledger_entries_no_truncate" }]],
        ["4.at_most_once_guards", [{ index: "orders_invoice_unique" }]],
      ]);
    } finally {
      await t.db.execute(sql`alter table ledger_entries enable trigger ledger_entries_no_truncate`);
      await t.db.execute(sql`alter index orders_invoice_unique_gone rename to orders_invoice_unique`);
    }
    await expectNoBreaches();
  });

  it("ledger entries are immutable", async () => {
    await expect(t.db.execute(sql`update ledger_entries set remaining_delta = 0`)).rejects.toThrow();
    await expect(t.db.execute(sql`delete from ledger_entries`)).rejects.toThrow();
  });
});
