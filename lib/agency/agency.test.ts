import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import type { Db } from "@/db/client";
import { findOrgAccess } from "@/lib/auth/org-access";
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from "@/lib/errors";
import { Credits, getBalance, getOrCreateOrgAccount, grantBatch, InsufficientCreditsError, verifyLedger } from "@/lib/ledger";
import { snapshot } from "@/lib/ledger/test-helpers";
import {
  assignCredits,
  createSubAccount,
  creditStatus,
  getSubAccount,
  inviteSubAccountUser,
  listSubAccounts,
  reclaimCredits,
  ReclaimExceedsAssignedError,
  renameSubAccount,
  setSubAccountStatus,
  type AgencyActor,
} from "./index";

const t = useTestDb({ max: 12 });
const C = (v: string | number) => Credits.parse(String(v));
const DAY = 86_400_000;

async function q<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  return (await db.execute(query)) as unknown as T[];
}

async function newUser(db: Db, email: string): Promise<string> {
  const [u] = await q<{ id: string }>(db, sql`insert into users (email, name, password_hash) values (${email}, 'U', 'x') returning id`);
  return u.id;
}

async function newOrg(db: Db, name: string, kind: "owner" | "agency", parentId: string | null = null): Promise<string> {
  const [o] = await q<{ id: string }>(db, sql`insert into organizations (name, kind, parent_id) values (${name}, ${kind}, ${parentId}) returning id`);
  return o.id;
}

async function member(db: Db, userId: string, orgId: string, role: "admin" | "member" = "admin") {
  await db.execute(sql`insert into memberships (user_id, organization_id, role) values (${userId}, ${orgId}, ${role})`);
}

let seq = 0;
/** An agency with an admin, F1 Free 5 (expires in 3 days) and P2 Paid 100 (no expiry), and one sub-account. */
async function world(db: Db) {
  const n = ++seq;
  const agencyId = await newOrg(db, `Agency ${n}`, "agency");
  const adminId = await newUser(db, `admin${n}@a.test`);
  await member(db, adminId, agencyId);
  const actor: AgencyActor = { userId: adminId, orgId: agencyId };
  const pool = await getOrCreateOrgAccount(db, agencyId);
  const now = new Date();
  const f1 = await grantBatch(db, { accountId: pool.id, type: "free", source: "signup_bonus", amount: C(5), expiresAt: new Date(now.getTime() + 3 * DAY), now: new Date(now.getTime() - 1000) });
  const p2 = await grantBatch(db, { accountId: pool.id, type: "paid", source: "top_up", amount: C(100), now: new Date(now.getTime() - 1000) });
  const sub = await createSubAccount(db, actor, { name: `Client ${n}` });
  const subPool = await getOrCreateOrgAccount(db, sub.id);
  return { agencyId, adminId, actor, pool, subId: sub.id, subPool, f1: f1.batch, p2: p2.batch };
}

async function total(db: Db, accountIds: string[]): Promise<bigint> {
  let s = 0n;
  for (const id of accountIds) s += (await getBalance(db, id)).balance;
  return s;
}

describe("agency: sub-accounts", () => {
  it("creates, renames, suspends and reactivates, with audit rows in both organizations", async () => {
    const w = await world(t.db);
    await renameSubAccount(t.db, w.actor, { subAccountId: w.subId, name: "  Renamed Client " });
    await setSubAccountStatus(t.db, w.actor, { subAccountId: w.subId, status: "suspended" });
    const list = await listSubAccounts(t.db, w.actor);
    expect(list.subAccounts).toHaveLength(1);
    expect(list.subAccounts[0]).toMatchObject({ name: "Renamed Client", status: "suspended", balance: "0", creditStatus: "out" });
    await expect(assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(1) })).rejects.toBeInstanceOf(ConflictError);
    await setSubAccountStatus(t.db, w.actor, { subAccountId: w.subId, status: "active" });
    const audit = await q<{ organization_id: string; action: string }>(t.db, sql`select organization_id, action from audit_log where subject_id = ${w.subId} order by id`);
    for (const orgId of [w.agencyId, w.subId]) {
      expect(audit.filter((a) => a.organization_id === orgId).map((a) => a.action)).toEqual([
        "sub_account.created",
        "sub_account.renamed",
        "sub_account.suspended",
        "sub_account.reactivated",
      ]);
    }
    await expect(createSubAccount(t.db, w.actor, { name: "   " })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("assign 8 = F1 −5 then P2 −3 (SPEC §17 ex. 5); reclaim moves it back; nothing created or lost; ledger verifies", async () => {
    const w = await world(t.db);
    const before = await total(t.db, [w.pool.id, w.subPool.id]);
    const res = await assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(8) });
    expect(res.amount).toBe("8");
    expect(res.created.map((c) => [c.type, c.amount, c.expiresAt])).toEqual([
      ["free", "5", w.f1.expiresAt!.toISOString()],
      ["paid", "3", null],
    ]);
    const outs = await q<{ batch_id: string; d: string }>(t.db, sql`select batch_id, remaining_delta::text d from ledger_entries where transfer_id = ${res.transferId} and kind = 'transfer_out' order by id`);
    expect(outs).toEqual([
      { batch_id: w.f1.id, d: (-C(5)).toString() },
      { batch_id: w.p2.id, d: (-C(3)).toString() },
    ]);
    expect((await getBalance(t.db, w.subPool.id)).balance).toBe(C(8));
    expect((await getBalance(t.db, w.pool.id)).balance).toBe(C(97));

    const back = await reclaimCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(6) });
    expect(back.amount).toBe("6");
    expect((await getBalance(t.db, w.subPool.id)).balance).toBe(C(2));
    expect((await getBalance(t.db, w.pool.id)).balance).toBe(C(103)); // 97 + 6
    expect(await total(t.db, [w.pool.id, w.subPool.id])).toBe(before);
    const [sum] = await q<{ s: string }>(t.db, sql`select sum(remaining_delta)::text s from ledger_entries where transfer_id in (${res.transferId}, ${back.transferId})`);
    expect(sum.s).toBe("0");

    // reclaim everything left (default amount), then nothing is reclaimable
    await reclaimCredits(t.db, w.actor, { subAccountId: w.subId });
    expect((await getBalance(t.db, w.subPool.id)).balance).toBe(0n);
    expect(await total(t.db, [w.pool.id, w.subPool.id])).toBe(before);
    await expect(reclaimCredits(t.db, w.actor, { subAccountId: w.subId })).rejects.toBeInstanceOf(ReclaimExceedsAssignedError);

    const audit = await q<{ organization_id: string; action: string }>(t.db, sql`select organization_id, action from audit_log where action like 'credits.%' and subject_id = ${w.subId} order by id`);
    expect(audit.filter((a) => a.organization_id === w.agencyId).map((a) => a.action)).toEqual(["credits.assigned", "credits.reclaimed", "credits.reclaimed"]);
    expect(audit.filter((a) => a.organization_id === w.subId).map((a) => a.action)).toEqual(["credits.assigned", "credits.reclaimed", "credits.reclaimed"]);
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("type chosen overrides the source's; the chosen expiry is kept only where it is not later than the source batch's", async () => {
    const w = await world(t.db);
    const far = new Date(Date.now() + 30 * DAY);
    const res = await assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(7), type: "paid", expiresAt: far });
    // F1 expires in 3 days: the chosen 30 days would extend it → F1's expiry; P2 has none → the chosen one.
    expect(res.created.map((c) => [c.type, c.amount, c.expiresAt])).toEqual([
      ["paid", "5", w.f1.expiresAt!.toISOString()],
      ["paid", "2", far.toISOString()],
    ]);
    const batches = await q<{ expires_at: string | null; origin: string | null }>(
      t.db,
      sql`select b.expires_at::text, o.expires_at::text as origin from batches b join batches o on o.id = b.origin_batch_id where b.account_id = ${w.subPool.id}`,
    );
    for (const b of batches) if (b.origin) expect(new Date(b.expires_at!).getTime()).toBeLessThanOrEqual(new Date(b.origin).getTime());
    // A reclaim keeps each batch's expiry: never extended on the way back either.
    const back = await reclaimCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(7) });
    expect(back.created.map((c) => c.expiresAt)).toEqual([w.f1.expiresAt!.toISOString(), far.toISOString()].sort());
    // an expiry in the past is refused
    await expect(assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(1), expiresAt: new Date(Date.now() - DAY) })).rejects.toBeInstanceOf(InvalidInputError);
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("assigning more than the agency has → insufficient_credits (402) and nothing moves", async () => {
    const w = await world(t.db);
    const before = await snapshot(t.db);
    const auditBefore = await q<{ n: number }>(t.db, sql`select count(*)::int n from audit_log`);
    const err = await assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(105.000001) }).catch((e) => e);
    expect(err).toBeInstanceOf(InsufficientCreditsError);
    expect(err.status).toBe(402);
    expect(err.code).toBe("insufficient_credits");
    expect(await snapshot(t.db)).toBe(before);
    expect(await q<{ n: number }>(t.db, sql`select count(*)::int n from audit_log`)).toEqual(auditBefore);
    await expect(assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: 0n })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it("concurrent assigns never overdraw the agency", async () => {
    const w = await world(t.db);
    const other = await createSubAccount(t.db, w.actor, { name: "Other client" });
    // 105 available; 40 assigns of 3 = 120 wanted → exactly 35 succeed, 5 get 402
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => assignCredits(t.db, w.actor, { subAccountId: i % 2 ? w.subId : other.id, amount: C(3) })),
    );
    const ok = results.filter((r) => r.status === "fulfilled").length;
    const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(ok).toBe(35);
    for (const f of failed) expect(f.reason).toBeInstanceOf(InsufficientCreditsError);
    const agencyBal = await getBalance(t.db, w.pool.id);
    expect(agencyBal.balance).toBe(0n);
    const otherPool = await getOrCreateOrgAccount(t.db, other.id);
    expect((await getBalance(t.db, w.subPool.id)).balance + (await getBalance(t.db, otherPool.id)).balance).toBe(C(105));
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("concurrent reclaims never take more than the unspent assigned credits", async () => {
    const w = await world(t.db);
    await assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(10) });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => reclaimCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(3) })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect((await getBalance(t.db, w.subPool.id)).balance).toBe(C(1));
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("reclaim is capped at credits that came from assignments (not what the sub-account bought)", async () => {
    const w = await world(t.db);
    await assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(4) });
    await grantBatch(t.db, { accountId: w.subPool.id, type: "paid", source: "pack", amount: C(50), externalRef: `cs_${w.subId}` });
    const err = await reclaimCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(5) }).catch((e) => e);
    expect(err).toBeInstanceOf(ReclaimExceedsAssignedError);
    expect(err.details.reclaimable).toBe("4");
    const list = await listSubAccounts(t.db, w.actor);
    expect(list.subAccounts[0]).toMatchObject({ balance: "54", reclaimable: "4", assignedLive: "4" });
  });

  it("reclaim takes only assignment batches, even when the sub-account's own credits come first in its order", async () => {
    const w = await world(t.db);
    await assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(10) }); // F1 5 (3 days) + P2 5
    // A Free bonus of its own that expires tomorrow: first in the sub-account's consumption order.
    const own = await grantBatch(t.db, { accountId: w.subPool.id, type: "free", source: "pack_bonus", amount: C(3), expiresAt: new Date(Date.now() + DAY) });
    const result = await reclaimCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(6) });
    expect(result.amount).toBe("6");
    const sub = await getBalance(t.db, w.subPool.id);
    expect(sub.batches.find((b) => b.id === own.batch.id)?.remaining).toBe(C(3));
    expect(sub.balance).toBe(C(7));
    expect(await verifyLedger(t.db)).toEqual([]);
  });

  it("a sub-account user cannot assign, reclaim or list; an agency admin cannot reach another agency's sub-account", async () => {
    const w = await world(t.db);
    const sibling = await createSubAccount(t.db, w.actor, { name: "Sibling" });
    const subUser = await newUser(t.db, `subuser${seq}@s.test`);
    await member(t.db, subUser, w.subId, "admin");
    const asSub: AgencyActor = { userId: subUser, orgId: w.subId };
    // working in its own sub-account (not an agency) → 403
    await expect(assignCredits(t.db, asSub, { subAccountId: sibling.id, amount: C(1) })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(assignCredits(t.db, asSub, { subAccountId: w.subId, amount: C(1) })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(reclaimCredits(t.db, asSub, { subAccountId: w.subId })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listSubAccounts(t.db, asSub)).rejects.toBeInstanceOf(ForbiddenError);
    // claiming to act as the agency it is not a member of → 404
    const forged: AgencyActor = { userId: subUser, orgId: w.agencyId };
    await expect(assignCredits(t.db, forged, { subAccountId: w.subId, amount: C(1) })).rejects.toBeInstanceOf(NotFoundError);
    await expect(getSubAccount(t.db, forged, sibling.id)).rejects.toBeInstanceOf(NotFoundError);
    // reading a sibling or the agency through the org-scoped routes → no access (404 upstream)
    expect(await findOrgAccess(t.db, subUser, sibling.id)).toBeNull();
    expect(await findOrgAccess(t.db, subUser, w.agencyId)).toBeNull();
    expect((await findOrgAccess(t.db, subUser, w.subId))?.role).toBe("admin");
    // an agency member (not admin) → 403
    const plain = await newUser(t.db, `member${seq}@a.test`);
    await member(t.db, plain, w.agencyId, "member");
    await expect(assignCredits(t.db, { userId: plain, orgId: w.agencyId }, { subAccountId: w.subId, amount: C(1) })).rejects.toBeInstanceOf(ForbiddenError);
    // another agency's admin naming our sub-account → 404
    const w2 = await world(t.db);
    await expect(assignCredits(t.db, w2.actor, { subAccountId: w.subId, amount: C(1) })).rejects.toBeInstanceOf(NotFoundError);
    await expect(reclaimCredits(t.db, w2.actor, { subAccountId: w.subId })).rejects.toBeInstanceOf(NotFoundError);
    await expect(getSubAccount(t.db, w2.actor, w.subId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(renameSubAccount(t.db, w2.actor, { subAccountId: w.subId, name: "x" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(assignCredits(t.db, w.actor, { subAccountId: "not-a-uuid", amount: C(1) })).rejects.toBeInstanceOf(NotFoundError);
    expect((await getBalance(t.db, w.subPool.id)).balance).toBe(0n);
  });

  it("lists balance, this month's usage, status and last activity; drill-down shows transfers and audit", async () => {
    const w = await world(t.db);
    await assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(20) });
    const today = new Date().toISOString().slice(0, 10);
    await t.db.execute(sql`insert into usage_daily (organization_id, day, bot_id, category, pool, actor, cost, charged, uncollected, events)
      values (${w.subId}, ${today}::date, null, 'llm', 'owner', 'operator', ${C(1.5).toString()}, ${C(1.5).toString()}, 0, 3),
             (${w.subId}, ${today}::date, null, 'llm', 'end_user', 'paying_visitor', ${C(9).toString()}, ${C(9).toString()}, 0, 3),
             (${w.subId}, '2000-01-01'::date, null, 'llm', 'owner', 'operator', ${C(7).toString()}, ${C(7).toString()}, 0, 3)`);
    const list = await listSubAccounts(t.db, w.actor);
    expect(list.agency.available).toBe("85");
    expect(list.subAccounts[0]).toMatchObject({ balance: "20", available: "20", monthUsage: "1.5", creditStatus: "active", assignedLive: "20" });
    expect(list.subAccounts[0].lastActivityAt).not.toBeNull();

    await reclaimCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(18.5) });
    expect((await listSubAccounts(t.db, w.actor)).subAccounts[0].creditStatus).toBe("low");
    const detail = await getSubAccount(t.db, w.actor, w.subId);
    expect(detail.transfers.map((x) => [x.direction, x.amount])).toEqual([
      ["reclaimed", "18.5"],
      ["assigned", "20"],
    ]);
    expect(detail.audit.map((a) => a.action)).toEqual(["credits.reclaimed", "credits.assigned", "sub_account.created"]);
    expect(detail.batches.reduce((s, b) => s + Credits.parse(b.remaining), 0n)).toBe(C(1.5));
  });

  it("credit status rule: out at ≤ 0, low under 5 credits or under 10% of live assigned credits", () => {
    expect(creditStatus(0n, C(100))).toBe("out");
    expect(creditStatus(C(4.9), 0n)).toBe("low");
    expect(creditStatus(C(9), C(100))).toBe("low");
    expect(creditStatus(C(10), C(100))).toBe("active");
    expect(creditStatus(C(6), 0n)).toBe("active");
  });

  describe("suspend racing assign", () => {
    /** Audit ids of this sub-account's assigns and suspends, in the order their rows were written. */
    async function auditOrder(subId: string) {
      return q<{ id: number; action: string }>(
        t.db,
        sql`select id::int, action from audit_log where organization_id = ${subId} and action in ('credits.assigned', 'sub_account.suspended') order by id`,
      );
    }

    async function lockWaiters(): Promise<number> {
      const [r] = await q<{ n: number }>(t.db, sql`select count(*)::int n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
      return r.n;
    }

    async function until(what: () => Promise<boolean>, label: string) {
      const deadline = Date.now() + 10_000;
      while (!(await what())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }

    it("an assign held up inside its transfer cannot land credits after a suspend has committed", async () => {
      const w = await world(t.db);
      // Another session holds the agency's pool, so the assign stops inside its transfer (after any status check).
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let holding!: () => void;
      const held = new Promise<void>((r) => (holding = r));
      const blocker = t.db.transaction(async (tx) => {
        await tx.execute(sql`select id from accounts where id = ${w.pool.id} for update`);
        holding();
        await released;
      });
      await held;
      const order: string[] = [];
      const assign = assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(5) }).then(
        (r) => (order.push("assign ok"), r),
        (e) => (order.push("assign refused"), Promise.reject(e)),
      );
      assign.catch(() => undefined);
      await until(async () => (await lockWaiters()) >= 1, "the assign to wait on the pool");
      let suspendDone = false;
      const suspend = setSubAccountStatus(t.db, w.actor, { subAccountId: w.subId, status: "suspended" }).then(() => {
        suspendDone = true;
        order.push("suspended");
      });
      // The suspend either commits now (nothing stops it) or waits for the assign's lock on the sub-account.
      await until(async () => suspendDone || (await lockWaiters()) >= 2, "the suspend to commit or wait");
      release();
      await blocker;
      const [assigned] = await Promise.allSettled([assign, suspend]);
      // Whatever the interleaving: credits in the sub-account only if the assign committed first.
      const audit = await auditOrder(w.subId);
      const suspendedAt = audit.findIndex((a) => a.action === "sub_account.suspended");
      expect(suspendedAt).toBeGreaterThanOrEqual(0);
      expect(audit.slice(suspendedAt + 1).map((a) => a.action)).not.toContain("credits.assigned");
      const balance = (await getBalance(t.db, w.subPool.id)).balance;
      if (assigned.status === "fulfilled") {
        expect(order).toEqual(["assign ok", "suspended"]);
        expect(balance).toBe(C(5));
      } else {
        expect(assigned.reason).toBeInstanceOf(ConflictError);
        expect(assigned.reason.code).toBe("sub_account_suspended");
        expect(balance).toBe(0n);
      }
    });

    it("parallel assigns and suspends, repeated: nothing is assigned after the suspend commits", async () => {
      const w = await world(t.db);
      let assignedTotal = 0n;
      for (let round = 0; round < 25; round++) {
        const results = await Promise.allSettled([
          assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(1) }),
          setSubAccountStatus(t.db, w.actor, { subAccountId: w.subId, status: "suspended" }),
          assignCredits(t.db, w.actor, { subAccountId: w.subId, amount: C(1) }),
        ]);
        expect(results[1].status).toBe("fulfilled");
        for (const r of [results[0], results[2]]) {
          if (r.status === "fulfilled") assignedTotal += C(1);
          else expect((r.reason as ConflictError).code).toBe("sub_account_suspended");
        }
        await setSubAccountStatus(t.db, w.actor, { subAccountId: w.subId, status: "active" });
      }
      // In the sub-account's own audit trail, every assign of a round comes before that round's suspend.
      const audit = await q<{ action: string }>(
        t.db,
        sql`select action from audit_log where organization_id = ${w.subId} and action in ('credits.assigned', 'sub_account.suspended', 'sub_account.reactivated') order by id`,
      );
      let suspended = false;
      for (const a of audit) {
        if (a.action === "sub_account.suspended") suspended = true;
        else if (a.action === "sub_account.reactivated") suspended = false;
        else expect(suspended).toBe(false);
      }
      expect((await getBalance(t.db, w.subPool.id)).balance).toBe(assignedTotal);
    });
  });

  describe("invite", () => {
    let w: Awaited<ReturnType<typeof world>>;
    beforeAll(async () => {
      w = await world(t.db);
    });
    it("creates a login with a one-time password for a new email; an existing user just gets the membership", async () => {
      const r = await inviteSubAccountUser(t.db, w.actor, { subAccountId: w.subId, email: "New.Person@Client.test" });
      expect(r).toMatchObject({ email: "new.person@client.test", created: true, role: "admin" });
      expect(r.temporaryPassword).toMatch(/^[\w-]{12}$/);
      const access = await findOrgAccess(t.db, r.userId, w.subId);
      expect(access?.role).toBe("admin");
      expect(await findOrgAccess(t.db, r.userId, w.agencyId)).toBeNull();
      await expect(inviteSubAccountUser(t.db, w.actor, { subAccountId: w.subId, email: "new.person@client.test" })).rejects.toBeInstanceOf(ConflictError);
      const other = await createSubAccount(t.db, w.actor, { name: "Second" });
      const again = await inviteSubAccountUser(t.db, w.actor, { subAccountId: other.id, email: "new.person@client.test", role: "member" });
      expect(again).toMatchObject({ created: false, temporaryPassword: null, userId: r.userId, role: "member" });
      const mails = await q<{ to: string }>(t.db, sql`select "to" from email_outbox where "to" = 'new.person@client.test'`);
      expect(mails).toHaveLength(2);
      await expect(inviteSubAccountUser(t.db, w.actor, { subAccountId: w.subId, email: "nope" })).rejects.toBeInstanceOf(InvalidInputError);
    });

    it("never lowers anyone's access: inviting an agency admin (even oneself) as a member is refused and they stay admin", async () => {
      const [me] = await q<{ email: string }>(t.db, sql`select email from users where id = ${w.adminId}`);
      const colleague = await newUser(t.db, `colleague${seq}@a.test`);
      await member(t.db, colleague, w.agencyId, "admin");
      const [col] = await q<{ email: string }>(t.db, sql`select email from users where id = ${colleague}`);
      for (const [userId, email] of [
        [w.adminId, me.email],
        [colleague, col.email.toUpperCase()],
      ]) {
        for (const role of ["member", "admin"] as const) {
          const err = await inviteSubAccountUser(t.db, w.actor, { subAccountId: w.subId, email, role }).catch((e) => e);
          expect(err).toBeInstanceOf(ConflictError);
          expect(err.code).toBe("already_has_access");
          expect(err.details.errors[0]).toMatchObject({ field: "email", message: expect.stringContaining("as an admin of") });
        }
        expect(await findOrgAccess(t.db, userId, w.subId)).toMatchObject({ role: "admin", via: "agency" });
      }
      const rows = await q<{ n: number }>(t.db, sql`select count(*)::int n from memberships where organization_id = ${w.subId} and user_id in (${w.adminId}, ${colleague})`);
      expect(rows[0].n).toBe(0);
      // A direct admin of the sub-account invited again as a member: refused, still admin.
      const direct = await inviteSubAccountUser(t.db, w.actor, { subAccountId: w.subId, email: "direct.admin@client.test", role: "admin" });
      await expect(inviteSubAccountUser(t.db, w.actor, { subAccountId: w.subId, email: "direct.admin@client.test", role: "member" })).rejects.toMatchObject({ code: "already_member" });
      expect((await findOrgAccess(t.db, direct.userId, w.subId))?.role).toBe("admin");
    });
  });
});
