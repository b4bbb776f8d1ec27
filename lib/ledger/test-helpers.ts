import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { getOrCreateOrgAccount } from "./accounts";
import { Credits } from "./credits";
import { rows } from "./internal";

/** Test-only helpers (imported by *.test.ts). */
export const C = (v: number | string) => Credits.of(v);
export const DAY = 24 * 3600 * 1000;

export async function newOrgAccount(db: Db, name = "org"): Promise<{ orgId: string; accountId: string }> {
  const [org] = await rows<{ id: string }>(db, sql`insert into organizations (name) values (${name}) returning id`);
  const account = await getOrCreateOrgAccount(db, org.id);
  return { orgId: org.id, accountId: account.id };
}

/** A fingerprint of every ledger table, to assert "nothing changed". */
export async function snapshot(db: Db): Promise<string> {
  const parts = await rows<{ t: string }>(
    db,
    sql`select concat_ws('|',
          (select count(*) from ledger_entries), (select coalesce(sum(remaining_delta), 0) from ledger_entries),
          (select coalesce(sum(held_delta), 0) from ledger_entries),
          (select count(*) from batches), (select coalesce(sum(remaining), 0) from batches), (select coalesce(sum(held), 0) from batches),
          (select count(*) from holds), (select string_agg(status::text, ',' order by id) from holds),
          (select count(*) from usage_events), (select count(*) from usage_allocations), (select count(*) from hold_earmarks),
          (select count(*) from usage_daily), (select count(*) from idempotency_keys)) as t`,
  );
  return parts[0].t;
}
