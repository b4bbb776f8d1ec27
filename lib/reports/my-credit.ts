import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { Credits } from "@/lib/ledger/credits";
import { getBalance } from "@/lib/ledger/get-balance";
import { addDays, daysUntil, periodStart, runway, utcDay } from "./arithmetic";
import { categoryLabel, SOURCE_LABEL } from "./labels";
import { getAutoRechargeSummary, type AutoRechargeSummary } from "@/lib/billing/auto-recharge/state";

/** My Credit (SPEC §11): balance and its split, the three pools of this period, burn rate and runway, activity. */

export const BURN_WINDOW_DAYS = 7;
export const EXPIRING_SOON_DAYS = 7;
const fmt = Credits.format;

export interface ActivityItem {
  id: string;
  at: string;
  kind: "answer" | "training" | "grant" | "expire" | "void" | "transfer_out" | "transfer_in" | "reversal" | "purchase";
  /** "Answer in Helpdesk · LLM" — the words; `delta` is the signed amount (decimal string). */
  text: string;
  delta: string;
}

export interface MyCredit {
  asOf: string;
  available: string;
  balance: string;
  held: string;
  free: { balance: string; held: string; available: string };
  paid: { balance: string; held: string; available: string };
  batchCount: number;
  expiringSoon: { count: number; amount: string; firstOn: string | null };
  period: { start: string; end: string };
  pools: {
    ownerCap: { used: string; left: string; total: string };
    freeReserve: { used: string; left: string; limit: string; answers: number };
    endUser: { sold: string; spent: string };
  };
  burn: { windowDays: number; spent: string; perDay: string; runwayDays: number | null; emptyOn: string | null };
  autoRecharge: AutoRechargeSummary;
  /** The soonest expiry among live batches with credits left (the /stats line). */
  nextExpiry: { on: string; amount: string } | null;
  activity: ActivityItem[];
}

type Q = Record<string, string | null>;
async function q(db: DbOrTx, query: ReturnType<typeof sql>): Promise<Q[]> {
  return (await db.execute(query)) as unknown as Q[];
}

export async function getMyCredit(db: DbOrTx, organizationId: string, now = new Date()): Promise<MyCredit> {
  const account = await getOrCreateOrgAccount(db, organizationId);
  const period = periodStart(now);
  const nextPeriod = `${utcDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)))}`;
  const today = utcDay(now);
  const burnFrom = addDays(today, -(BURN_WINDOW_DAYS - 1));
  const since = period < burnFrom ? period : burnFrom;

  const [balance, [usage], [reserve], [sold], entries, autoRecharge, [org]] = await Promise.all([
    getBalance(db, account.id, { now }),
    q(
      db,
      sql`select coalesce(sum(charged) filter (where day >= ${period}::date and pool <> 'end_user'), 0)::text as owner_used,
                 coalesce(sum(charged) filter (where day >= ${burnFrom}::date and pool <> 'end_user'), 0)::text as burn,
                 coalesce(sum(charged) filter (where day >= ${period}::date and pool = 'end_user'), 0)::text as end_user_spent
            from usage_daily where organization_id = ${organizationId} and day >= ${since}::date and day <= ${today}::date`,
    ),
    q(
      db,
      sql`select coalesce(sum(b.free_reserve_per_period), 0)::text as "limit", coalesce(sum(f.used), 0)::text as used, coalesce(sum(f.answers), 0)::text as answers
            from bots b left join free_reserve_usage f on f.bot_id = b.id and f.period_start = ${period}::date
           where b.organization_id = ${organizationId} and b.archived_at is null`,
    ),
    q(
      db,
      sql`select coalesce(sum(bt.amount), 0)::text as sold
            from accounts a join batches bt on bt.account_id = a.id
           where a.organization_id = ${organizationId} and a.kind = 'end_user' and bt.added_at >= ${period}::timestamptz and bt.added_at <= ${now.toISOString()}::timestamptz`,
    ),
    q(
      db,
      sql`select e.id::text as id, e.kind::text as kind, e.remaining_delta::text as delta, e.created_at as at, e.usage_event_id::text as event_id,
                 bt.type::text as batch_type, bt.source::text as source, ue.category::text as category, ue.actor::text as actor, bo.name as bot_name,
                 other.name as counterparty_name
            from (select * from ledger_entries where account_id = ${account.id} and remaining_delta <> 0
                   order by created_at desc, id desc limit 60) e
            join batches bt on bt.id = e.batch_id
            left join usage_events ue on ue.id = e.usage_event_id
            left join bots bo on bo.id = ue.bot_id
            left join lateral (
              select o.name from ledger_entries ce join accounts ca on ca.id = ce.account_id join organizations o on o.id = ca.organization_id
               where e.transfer_id is not null and ce.transfer_id = e.transfer_id and ce.account_id <> e.account_id
               limit 1
            ) other on true
           order by e.created_at desc, e.id desc`,
    ),
    getAutoRechargeSummary(db, organizationId),
    q(db, sql`select parent_id::text as parent_id from organizations where id = ${organizationId}`),
  ]);
  // Purchases by this organization's end users land in their own accounts, not in this pool's ledger:
  // list them with the pool's entries so the owner sees every sale in one activity feed.
  const sales = await q(
    db,
    sql`select o.id::text as id, o.paid_at as at, o.description, o.credits::text as credits, o.bonus_credits::text as bonus, o.amount_minor::text as amount, o.currency, b.name as bot_name
          from orders o left join bots b on b.id = o.bot_id
         where o.organization_id = ${organizationId} and o.buyer_kind = 'end_user' and o.status = 'paid' and o.paid_at is not null
         order by o.paid_at desc limit 10`,
  );

  const ownerUsed = BigInt(usage.owner_used!);
  const burn = runway(BigInt(usage.burn!), BURN_WINDOW_DAYS, balance.available, now);
  const reserveLimit = BigInt(reserve.limit!);
  const reserveUsed = BigInt(reserve.used!);

  let expiringCount = 0;
  let expiringAmount = 0n;
  let firstOn: Date | null = null;
  for (const b of balance.batches) {
    if (b.expiresAt && daysUntil(b.expiresAt, now) <= EXPIRING_SOON_DAYS && b.remaining > 0n) {
      expiringCount++;
      expiringAmount += b.remaining;
      if (!firstOn || b.expiresAt < firstOn) firstOn = b.expiresAt;
    }
  }

  return {
    asOf: now.toISOString(),
    available: fmt(balance.available),
    balance: fmt(balance.balance),
    held: fmt(balance.held),
    free: { balance: fmt(balance.free.balance), held: fmt(balance.free.held), available: fmt(balance.free.available) },
    paid: { balance: fmt(balance.paid.balance), held: fmt(balance.paid.held), available: fmt(balance.paid.available) },
    batchCount: balance.batches.length,
    expiringSoon: { count: expiringCount, amount: fmt(expiringAmount), firstOn: firstOn ? firstOn.toISOString() : null },
    period: { start: period, end: addDays(nextPeriod, -1) },
    pools: {
      ownerCap: { used: fmt(ownerUsed), left: fmt(balance.available), total: fmt(ownerUsed + balance.available) },
      freeReserve: {
        used: fmt(reserveUsed),
        left: fmt(reserveLimit > reserveUsed ? reserveLimit - reserveUsed : 0n),
        limit: fmt(reserveLimit),
        answers: Number(reserve.answers),
      },
      endUser: { sold: fmt(BigInt(sold.sold!)), spent: fmt(BigInt(usage.end_user_spent!)) },
    },
    burn: { windowDays: BURN_WINDOW_DAYS, spent: usage.burn!, perDay: fmt(burn.burnPerDay), runwayDays: burn.days, emptyOn: burn.emptyOn },
    autoRecharge,
    nextExpiry: nextExpiryOf(balance.batches),
    activity: [...describeActivity(entries, { isSubAccount: Boolean(org?.parent_id) }), ...describeSales(sales)].sort((a, b) => b.at.localeCompare(a.at)).slice(0, 10),
  };
}

function nextExpiryOf(batches: { expiresAt: Date | null; remaining: bigint }[]): MyCredit["nextExpiry"] {
  let next: { expiresAt: Date; remaining: bigint } | null = null;
  for (const b of batches) if (b.expiresAt && b.remaining > 0n && (!next || b.expiresAt < next.expiresAt)) next = { expiresAt: b.expiresAt, remaining: b.remaining };
  return next ? { on: next.expiresAt.toISOString(), amount: fmt(next.remaining) } : null;
}

function toIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const s = String(value);
  return new Date(s.includes("T") ? s : s.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00")).toISOString();
}

/** End users' paid orders → "Visitor bought 500 credits in Helpdesk · $20.00" (the amount is theirs, not the pool's). */
export function describeSales(sales: Q[]): ActivityItem[] {
  return sales.map((o) => {
    const credits = BigInt(o.credits!) + BigInt(o.bonus ?? "0");
    const money = new Intl.NumberFormat("en-US", { style: "currency", currency: (o.currency ?? "usd").toUpperCase() }).format(Number(o.amount) / 100);
    return {
      id: `order-${o.id}`,
      at: toIso(o.at as unknown),
      kind: "purchase" as const,
      text: `Visitor bought ${o.description}${o.bot_name ? ` in ${o.bot_name}` : ""} · ${money}`,
      delta: fmt(credits),
    };
  });
}

/**
 * Ledger entries (newest first) → lines in words; the consume entries of one usage event become one line.
 * Transfers only run between an agency and its sub-accounts, so which side this pool is on decides the
 * words: an agency assigns to / reclaims from a named sub-account; a sub-account receives from / is
 * reclaimed by its agency (whose name it need not see).
 */
export function describeActivity(entries: Q[], pool: { isSubAccount: boolean }): ActivityItem[] {
  const out: ActivityItem[] = [];
  let last: (ActivityItem & { eventId: string | null; micro: bigint }) | null = null;
  for (const e of entries) {
    const micro = BigInt(e.delta!);
    const at = toIso(e.at as unknown);
    if (e.kind === "consume" && e.event_id && last && last.eventId === e.event_id) {
      last.micro += micro;
      last.delta = fmt(last.micro);
      continue;
    }
    const type = e.batch_type === "free" ? "Free" : "Paid";
    const source = SOURCE_LABEL[e.source ?? ""] ?? e.source ?? "";
    let kind: ActivityItem["kind"];
    let text: string;
    switch (e.kind) {
      case "consume": {
        kind = e.category === "training" ? "training" : "answer";
        const what = kind === "training" ? "Training" : e.actor === "free_visitor" ? "Free answer" : "Answer";
        text = `${what}${e.bot_name ? ` in ${e.bot_name}` : ""} · ${categoryLabel(e.category)}`;
        break;
      }
      case "grant":
        kind = "grant";
        text = `${type} credits added · ${source}`;
        break;
      case "expire":
        kind = "expire";
        text = `${type} credits expired · ${source}`;
        break;
      case "void":
        kind = "void";
        text = `${type} credits voided · ${source}`;
        break;
      case "transfer_out":
        kind = "transfer_out";
        text = pool.isSubAccount ? `${type} credits reclaimed by your agency` : `${type} credits assigned to ${e.counterparty_name ?? "a sub-account"}`;
        break;
      case "transfer_in":
        kind = "transfer_in";
        text = pool.isSubAccount ? `${type} credits received from your agency` : `${type} credits reclaimed from ${e.counterparty_name ?? "a sub-account"}`;
        break;
      default:
        kind = "reversal";
        text = `Correction · ${type} credits`;
    }
    last = { id: e.id!, at, kind, text, delta: fmt(micro), eventId: e.kind === "consume" ? e.event_id : null, micro };
    out.push(last);
  }
  return out.map(({ id, at, kind, text, delta }) => ({ id, at, kind, text, delta }));
}

export interface ActiveBatchRow {
  id: string;
  type: "free" | "paid";
  source: string;
  sourceLabel: string;
  amount: string;
  remaining: string;
  held: string;
  addedAt: string;
  expiresAt: string | null;
  status: "active" | "expired" | "empty" | "voided" | "scheduled";
  /** Days until expiry for active batches expiring within EXPIRING_SOON_DAYS, else null. */
  expiresInDays: number | null;
  /** 1 = spent next; null for inactive batches. */
  position: number | null;
}

/** Every batch of the organization's pool: active ones in consumption order ("spent next" first), then the rest, newest first. */
export async function getActiveBatches(db: DbOrTx, organizationId: string, now = new Date()): Promise<{ asOf: string; active: ActiveBatchRow[]; inactive: ActiveBatchRow[] }> {
  const account = await getOrCreateOrgAccount(db, organizationId);
  const balance = await getBalance(db, account.id, { now, includeInactive: true });
  const active: ActiveBatchRow[] = [];
  const inactive: ActiveBatchRow[] = [];
  for (const b of balance.batches) {
    const status: ActiveBatchRow["status"] = b.voidedAt
      ? "voided"
      : b.expiresAt && b.expiresAt.getTime() <= now.getTime()
        ? "expired"
        : b.addedAt.getTime() > now.getTime()
          ? "scheduled"
          : b.remaining === 0n
            ? "empty"
            : "active";
    const days = b.expiresAt ? daysUntil(b.expiresAt, now) : null;
    const row: ActiveBatchRow = {
      id: b.id,
      type: b.type,
      source: b.source,
      sourceLabel: SOURCE_LABEL[b.source] ?? b.source,
      amount: fmt(b.amount),
      remaining: fmt(b.remaining),
      held: fmt(b.held),
      addedAt: b.addedAt.toISOString(),
      expiresAt: b.expiresAt ? b.expiresAt.toISOString() : null,
      status,
      expiresInDays: status === "active" && days !== null && days <= EXPIRING_SOON_DAYS ? days : null,
      position: null,
    };
    (status === "active" ? active : inactive).push(row);
  }
  active.forEach((r, i) => (r.position = i + 1));
  inactive.sort((x, y) => (x.addedAt < y.addedAt ? 1 : -1));
  return { asOf: now.toISOString(), active, inactive };
}
