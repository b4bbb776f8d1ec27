import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { Credits, MICRO } from "@/lib/ledger";
import { requireAgencyAdmin, type AgencyActor } from "./access";

/**
 * Credit status of a sub-account (shown on the list):
 * - `out`: nothing available (≤ 0) — its bots are refused;
 * - `low`: available below 5 credits, or below 10% of the credits assigned to it that are still live
 *   (unexpired, unvoided assignment batches);
 * - `active`: otherwise.
 */
export type CreditStatus = "active" | "low" | "out";
export const LOW_ABSOLUTE = 5n * MICRO;
export const LOW_SHARE_PERCENT = 10n;

export function creditStatus(available: bigint, assignedLive: bigint): CreditStatus {
  if (available <= 0n) return "out";
  if (available < LOW_ABSOLUTE || available * 100n < assignedLive * LOW_SHARE_PERCENT) return "low";
  return "active";
}

export interface SubAccountSummary {
  id: string;
  name: string;
  status: "active" | "suspended";
  createdAt: string;
  /** Decimal credits. */
  balance: string;
  available: string;
  held: string;
  /** Σ amount of the live batches it got from assignments. */
  assignedLive: string;
  /** Unspent assigned credits the agency can take back. */
  reclaimable: string;
  /** Credits its own pool paid for answers this calendar month (UTC), from usage_daily (end-user pool excluded). */
  monthUsage: string;
  creditStatus: CreditStatus;
  /** Latest of: a ledger entry on its pool, a day with usage. */
  lastActivityAt: string | null;
  members: number;
}

interface Row {
  id: string;
  name: string;
  status: "active" | "suspended";
  created_at: string | Date;
  balance: string;
  held: string;
  assigned_live: string;
  reclaimable: string;
  month_usage: string;
  last_entry: string | Date | null;
  last_day: string | null;
  members: number;
}

function iso(v: string | Date | null): string | null {
  if (v === null) return null;
  if (v instanceof Date) return v.toISOString();
  return new Date(v.includes("T") ? v : v.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00")).toISOString();
}

/** One query for every sub-account of an agency (or just `onlyId`): pool, month usage, last activity. */
export async function querySubAccounts(db: DbOrTx, agencyId: string, options: { now?: Date; onlyId?: string } = {}): Promise<SubAccountSummary[]> {
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const monthStart = `${at.slice(0, 7)}-01`;
  const result = (await db.execute(sql`
    select o.id, o.name, o.status, o.created_at,
           coalesce(bal.balance, 0)::text as balance, coalesce(bal.held, 0)::text as held,
           coalesce(bal.assigned_live, 0)::text as assigned_live, coalesce(bal.reclaimable, 0)::text as reclaimable,
           coalesce(u.month_usage, 0)::text as month_usage, le.last_entry, ud.last_day::text as last_day,
           (select count(*)::int from memberships m where m.organization_id = o.id) as members
      from organizations o
      left join accounts a on a.organization_id = o.id and a.kind = 'organization'
      left join lateral (
        select sum(b.remaining) as balance, sum(b.held) as held,
               sum(b.amount) filter (where b.source = 'assignment') as assigned_live,
               sum(b.remaining - b.held) filter (where b.source = 'assignment') as reclaimable
          from batches b
         where b.account_id = a.id and b.voided_at is null and b.added_at <= ${at}::timestamptz
           and (b.expires_at is null or b.expires_at > ${at}::timestamptz)
      ) bal on true
      left join lateral (
        select sum(d.charged) as month_usage from usage_daily d
         where d.organization_id = o.id and d.day >= ${monthStart}::date and d.pool <> 'end_user'
      ) u on true
      left join lateral (select max(d.day) as last_day from usage_daily d where d.organization_id = o.id) ud on true
      left join lateral (select max(e.created_at) as last_entry from ledger_entries e where e.account_id = a.id) le on true
     where o.parent_id = ${agencyId} ${options.onlyId ? sql`and o.id = ${options.onlyId}` : sql``}
     order by lower(o.name), o.id`)) as unknown as Row[];

  return result.map((r) => {
    const balance = BigInt(r.balance);
    const held = BigInt(r.held);
    const available = balance - held;
    const assignedLive = BigInt(r.assigned_live);
    const lastEntry = iso(r.last_entry);
    const lastDay = r.last_day ? new Date(`${r.last_day}T00:00:00Z`).toISOString() : null;
    const lastActivityAt = !lastEntry ? lastDay : !lastDay ? lastEntry : lastEntry > lastDay ? lastEntry : lastDay;
    return {
      id: r.id,
      name: r.name,
      status: r.status,
      createdAt: iso(r.created_at)!,
      balance: Credits.format(balance),
      available: Credits.format(available),
      held: Credits.format(held),
      assignedLive: Credits.format(assignedLive),
      reclaimable: Credits.format(BigInt(r.reclaimable)),
      monthUsage: Credits.format(BigInt(r.month_usage)),
      creditStatus: creditStatus(available, assignedLive),
      lastActivityAt,
      members: r.members,
    };
  });
}

export interface SubAccountList {
  agency: { id: string; name: string; available: string };
  subAccounts: SubAccountSummary[];
}

/** The Sub-accounts page: the agency's available pool and one row per sub-account. Agency admins only. */
export async function listSubAccounts(db: DbOrTx, actor: AgencyActor, options: { now?: Date } = {}): Promise<SubAccountList> {
  const agency = await requireAgencyAdmin(db, actor);
  const at = (options.now ?? new Date()).toISOString();
  const [pool] = (await db.execute(sql`
    select coalesce(sum(b.remaining - b.held), 0)::text as available
      from accounts a join batches b on b.account_id = a.id
     where a.organization_id = ${agency.id} and a.kind = 'organization' and b.voided_at is null
       and b.added_at <= ${at}::timestamptz and (b.expires_at is null or b.expires_at > ${at}::timestamptz)`)) as unknown as { available: string }[];
  return {
    agency: { ...agency, available: Credits.format(BigInt(pool?.available ?? "0")) },
    subAccounts: await querySubAccounts(db, agency.id, options),
  };
}
