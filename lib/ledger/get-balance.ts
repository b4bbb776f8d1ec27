import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { findOrgAccount } from "./accounts";
import { AccountNotFoundError } from "./errors";
import { BATCH_COLUMNS, toBatchView, type BatchRow, type BatchView } from "./batch-view";
import { compareBatches, consumptionOrderSql } from "./consumption-order";
import { nowSql, requireDate, requireUuid, rows } from "./internal";

export interface BalanceSplit {
  balance: bigint;
  held: bigint;
  available: bigint;
}

export interface Balance extends BalanceSplit {
  accountId: string;
  free: BalanceSplit;
  paid: BalanceSplit;
  /** In consumption order: the live batches, or all with `includeInactive`. */
  batches: (BatchView & { active: boolean })[];
  asOf: Date;
}

/**
 * Balance = Σ remaining of unexpired, unvoided batches; held = open holds on them; available =
 * balance − held (SPEC §4). Expired batches never count, even before the expiry job has run.
 */
export async function getBalance(
  db: DbOrTx,
  accountId: string,
  options: { now?: Date; includeInactive?: boolean } = {},
): Promise<Balance> {
  const id = requireUuid(accountId, "accountId");
  const now = options.now ? requireDate(options.now, "now") : undefined;
  const result = await rows<BatchRow & { active: boolean; as_of: string; exists: boolean }>(
    db,
    sql`with n as (select ${nowSql(now)} as t)
        select ${sql.raw(BATCH_COLUMNS.split(", ").map((c) => "b." + c).join(", "))},
               (b.voided_at is null and b.added_at <= n.t and (b.expires_at is null or b.expires_at > n.t)) as active,
               n.t::text as as_of
          from n left join batches b on b.account_id = ${id}
         order by ${sql.raw(consumptionOrderSql("b"))}`,
  );
  const asOf = now ?? new Date(String(result[0]?.as_of ?? new Date().toISOString()).replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00"));
  const batches = result.filter((r) => r.id !== null).map((r) => ({ ...toBatchView(r), active: r.active }));
  if (batches.length === 0) {
    const exists = await rows<{ id: string }>(db, sql`select id from accounts where id = ${id}`);
    if (exists.length === 0) throw new AccountNotFoundError(id);
  }
  const split = (type?: "free" | "paid"): BalanceSplit => {
    let balance = 0n;
    let held = 0n;
    for (const b of batches) {
      if (!b.active || (type && b.type !== type)) continue;
      balance += b.remaining;
      held += b.held;
    }
    return { balance, held, available: balance - held };
  };
  const total = split();
  const shown = options.includeInactive ? batches : batches.filter((b) => b.active && b.remaining > 0n);
  return { accountId: id, ...total, free: split("free"), paid: split("paid"), batches: shown.sort(compareBatches), asOf };
}

/** An organization's owner pool: available credits now (or at `now`); none if it has no account yet. */
export async function organizationAvailable(db: DbOrTx, organizationId: string, now?: Date): Promise<bigint> {
  const account = await findOrgAccount(db, organizationId);
  return account ? (await getBalance(db, account.id, now ? { now } : {})).available : 0n;
}
