import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { Credits, getBalance, getOrCreateOrgAccount } from "@/lib/ledger";
import { requireAgencyAdmin, requireOwnSubAccount, type AgencyActor } from "./access";
import { querySubAccounts, type SubAccountSummary } from "./list-sub-accounts";

export interface SubAccountDetail {
  agency: { id: string; name: string; available: string };
  subAccount: SubAccountSummary;
  batches: { id: string; type: "free" | "paid"; source: string; amount: string; remaining: string; addedAt: string; expiresAt: string | null }[];
  /** Assignments and reclaims, newest first: one line per transfer. */
  transfers: { transferId: string; direction: "assigned" | "reclaimed"; amount: string; at: string; note: string | null }[];
  /** The agency's audit rows about this sub-account, newest first. */
  audit: { id: number; action: string; at: string; actor: string | null; data: Record<string, unknown> }[];
  members: { userId: string; email: string; name: string; role: "admin" | "member" }[];
}

/** Drill-down of one sub-account (agency admins only; a sibling agency's sub-account → 404). */
export async function getSubAccount(db: DbOrTx, actor: AgencyActor, subAccountId: string, options: { now?: Date } = {}): Promise<SubAccountDetail> {
  const agency = await requireAgencyAdmin(db, actor);
  const sub = await requireOwnSubAccount(db, agency.id, subAccountId);
  const [summary] = await querySubAccounts(db, agency.id, { ...options, onlyId: sub.id });
  const pool = await getOrCreateOrgAccount(db, sub.id);
  const agencyPool = await getOrCreateOrgAccount(db, agency.id);
  const [balance, agencyBalance] = await Promise.all([getBalance(db, pool.id, { now: options.now }), getBalance(db, agencyPool.id, { now: options.now })]);

  const transfers = (await db.execute(sql`
    select e.transfer_id, sum(e.remaining_delta)::text as delta, max(e.created_at) as at, max(e.note) as note
      from ledger_entries e
     where e.account_id = ${pool.id} and e.transfer_id is not null
     group by e.transfer_id order by max(e.created_at) desc, e.transfer_id limit 50`)) as unknown as { transfer_id: string; delta: string; at: string | Date; note: string | null }[];

  const audit = (await db.execute(sql`
    select l.id, l.action, l.created_at, u.email, l.data
      from audit_log l left join users u on u.id = l.actor_user_id
     where l.organization_id = ${agency.id} and l.subject_id = ${sub.id}
     order by l.created_at desc, l.id desc limit 50`)) as unknown as { id: number; action: string; created_at: string | Date; email: string | null; data: Record<string, unknown> }[];

  const members = (await db.execute(sql`
    select u.id as user_id, u.email, u.name, m.role from memberships m join users u on u.id = m.user_id
     where m.organization_id = ${sub.id} order by lower(u.email)`)) as unknown as { user_id: string; email: string; name: string; role: "admin" | "member" }[];

  const toIso = (v: string | Date) => (v instanceof Date ? v : new Date(String(v).replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00"))).toISOString();
  return {
    agency: { ...agency, available: Credits.format(agencyBalance.available) },
    subAccount: summary,
    batches: balance.batches.map((b) => ({
      id: b.id,
      type: b.type,
      source: b.source,
      amount: Credits.format(b.amount),
      remaining: Credits.format(b.remaining),
      addedAt: b.addedAt.toISOString(),
      expiresAt: b.expiresAt ? b.expiresAt.toISOString() : null,
    })),
    transfers: transfers.map((t) => {
      const delta = BigInt(t.delta);
      return { transferId: t.transfer_id, direction: delta >= 0n ? "assigned" : "reclaimed", amount: Credits.format(delta < 0n ? -delta : delta), at: toIso(t.at), note: t.note };
    }),
    audit: audit.map((a) => ({ id: Number(a.id), action: a.action, at: toIso(a.created_at), actor: a.email, data: a.data })),
    members: members.map((m) => ({ userId: m.user_id, email: m.email, name: m.name, role: m.role })),
  };
}
