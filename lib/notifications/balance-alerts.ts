import { eq, sql } from "drizzle-orm";
import { db as appDb, isTransaction, type Db, type DbOrTx } from "@/db/client";
import { organizations } from "@/db/schema";
import { Credits } from "@/lib/ledger/credits";
import { organizationAvailable } from "@/lib/ledger/get-balance";
import { notify, periodKey } from "./notify";

/** Below this many available credits an organization hears "low balance" (once a day). */
export const DEFAULT_LOW_BALANCE_THRESHOLD = Credits.parse("10");

export type BalanceAlert = "out_of_credits" | "low_balance" | null;

/** Pure: which alert an organization's available balance calls for. */
export function balanceAlertFor(available: bigint, threshold = DEFAULT_LOW_BALANCE_THRESHOLD): BalanceAlert {
  if (available <= 0n) return "out_of_credits";
  if (available < threshold) return "low_balance";
  return null;
}

/**
 * `alertDue`: this charge calls for a low-balance / out-of-credits alert that has not gone out today. A
 * listener that can still bring credits (auto-recharge) settles only once they arrived or cannot, so the
 * alert that follows is chosen by the balance after it.
 */
type Listener = (db: DbOrTx, event: { organizationId: string; available: bigint; alertDue: boolean }) => Promise<void>;
// Process-wide (not per route bundle), like the caches: see sharedCache.
const shared = globalThis as { __creditdeskBalanceListeners?: Listener[]; __creditdeskAlertMemo?: Map<string, number>; __creditdeskBalanceWork?: Set<Promise<void>> };
const listeners: Listener[] = (shared.__creditdeskBalanceListeners ??= []);

/** Other domains (auto-recharge) react to an organization's available balance after each charge. */
export function onOrganizationBalance(listener: Listener): void {
  listeners.push(listener);
}

// Alerts already recorded (or being decided) by this process: a low organization would otherwise try an
// insert, and a balance read, per charge.
const recent: Map<string, number> = (shared.__creditdeskAlertMemo ??= new Map());
const memoKey = (organizationId: string, alert: Exclude<BalanceAlert, null>, now: Date) => `${organizationId}:${alert}:${periodKey("day", now)}`;

function claimAlert(organizationId: string, alert: Exclude<BalanceAlert, null>, now: Date): boolean {
  const memo = memoKey(organizationId, alert, now);
  if (recent.has(memo)) return false;
  if (recent.size > 10_000) recent.clear();
  recent.set(memo, now.getTime());
  return true;
}

async function sendAlert(db: DbOrTx, organizationId: string, alert: Exclude<BalanceAlert, null>, available: bigint, now: Date) {
  const day = periodKey("day", now);
  const [org] = await db.select({ name: organizations.name, parentId: organizations.parentId }).from(organizations).where(eq(organizations.id, organizationId));
  if (!org) return;
  const amount = Credits.format(available > 0n ? available : 0n);
  if (alert === "low_balance") {
    await notify(db, {
      organizationId,
      kind: "low_balance",
      title: "Credits are running low",
      // A sub-account gets its credits from its agency (no platform packs, no auto-recharge).
      body: org.parentId
        ? `${org.name} has ${amount} credits available. Buy one of your agency's packs or ask your agency for credits so your bots keep answering.`
        : `${org.name} has ${amount} credits available. Buy credits or set up auto-recharge so your bots keep answering.`,
      link: "/billing",
      dedupeKey: day,
      email: true,
    });
    return;
  }
  await notify(db, {
    organizationId,
    kind: "out_of_credits",
    title: "Out of credits: your bots have stopped answering",
    body: `${org.name} has no credits left, so AI answers are refused. They resume by themselves as soon as credits arrive.`,
    link: "/billing",
    dedupeKey: day,
    email: true,
  });
  if (org.parentId) {
    await notify(db, {
      organizationId: org.parentId,
      kind: "sub_account_out_of_credits",
      title: `${org.name} is out of credits`,
      body: `The sub-account ${org.name} has no credits left and its bots have stopped. Assign credits to it, or ask it to buy a pack.`,
      link: "/sub-accounts",
      dedupeKey: `${day}:${organizationId}`,
      data: { sub_account_id: organizationId },
      email: true,
    });
  }
}

/** How long a read waits for a charge's transaction to commit before it reads anyway. */
const SETTLE_WAIT = "10s";

/**
 * The organization's available credits once the ledger writes under way on its pool have committed. A
 * charge made inside a longer transaction (a request with an Idempotency-Key, a free visitor's claim)
 * reports its balance before that transaction commits, so a plain read from here may still see the
 * balance from before the charge. Every ledger writer keeps the account row locked (FOR NO KEY UPDATE)
 * until it commits: taking a share lock on the row, and dropping it at once, waits for exactly those.
 * Given a transaction, a plain read: the lock would stay with it (and stop charges) until it ends.
 */
export async function settledOrganizationAvailable(db: DbOrTx, organizationId: string, now?: Date): Promise<bigint> {
  if (!isTransaction(db)) {
    await (db as Db)
      .transaction(async (tx) => {
        await tx.execute(sql.raw(`set local lock_timeout = '${SETTLE_WAIT}'`));
        await tx.execute(sql`select 1 from accounts where organization_id = ${organizationId} and kind = 'organization' for share`);
      })
      .catch((error: unknown) => {
        // A transaction this slow to commit: read what is committed (the minute sweep catches up).
        if (pgCode(error) !== "55P03") throw error;
      });
  }
  return organizationAvailable(db, organizationId, now);
}

const pgCode = (error: unknown): string | undefined => {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  return e?.code ?? e?.cause?.code;
};

// What afterOrganizationCharge is still doing in the background (for tests: balanceWorkSettled).
const work: Set<Promise<void>> = (shared.__creditdeskBalanceWork ??= new Set());

/**
 * After a charge on an organization's pool (never an end user's): the listeners (auto-recharge), then
 * low-balance / out-of-credits alerts. Runs on the app pool after the request's transaction, and never
 * fails the charge that caused it.
 */
export function afterOrganizationCharge(organizationId: string, available: bigint, now = new Date()): void {
  const alert = balanceAlertFor(available);
  if (!alert && listeners.length === 0) return;
  // Claimed at once, so concurrent charges of a low organization leave the deciding to this one.
  const alertDue = alert !== null && claimAlert(organizationId, alert, now);
  const task = new Promise<void>((resolve) => setImmediate(resolve))
    .then(async () => {
      const db = appDb();
      for (const listener of listeners) {
        // A failing listener (a Stripe outage, say) must not swallow the alert that follows.
        await listener(db, { organizationId, available, alertDue }).catch((error) => console.error("[balance-alerts] listener failed", error));
      }
      if (!alertDue) return;
      // A listener may just have brought a top-up: "your bots have stopped" must not go out for a
      // refusal that the top-up answered, so the alert is chosen by the balance as it is now.
      // After the charge's own transaction too: before it commits, a read sees the balance from before it.
      const current = listeners.length === 0 ? available : await settledOrganizationAvailable(db, organizationId);
      const currentAlert = balanceAlertFor(current);
      if (currentAlert !== alert) recent.delete(memoKey(organizationId, alert, now)); // a later charge may call for it again
      if (currentAlert && (currentAlert === alert || claimAlert(organizationId, currentAlert, now))) await sendAlert(db, organizationId, currentAlert, current, now);
    })
    .catch((error) => console.error("[balance-alerts] failed", error))
    .finally(() => work.delete(task));
  work.add(task);
}

/** For tests: resolves once every alert and listener started so far has finished. */
export async function balanceWorkSettled(): Promise<void> {
  while (work.size > 0) await Promise.allSettled([...work]);
}

/** For tests: forget which alerts this process has already recorded. */
export function resetBalanceAlertMemo(): void {
  recent.clear();
}
