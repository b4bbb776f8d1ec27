import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { Credits } from "@/lib/ledger/credits";
import { formatDate } from "@/lib/format";
import { notify } from "./notify";

export const EXPIRY_WARNING_DAYS = 7;

/**
 * SPEC §9: "batch expiring within 7 days". Once per batch: each organization hears about each of its
 * batches with credits left that expires within the week, in the app and by email to its admins and
 * billing address (or the outbox without SMTP), like every other notice an owner has to act on.
 */
export async function notifyExpiringBatches(db: DbOrTx, now = new Date()): Promise<number> {
  const until = new Date(now.getTime() + EXPIRY_WARNING_DAYS * 86_400_000);
  const rows = await db.execute<{ organization_id: string; batch_id: string; remaining: string; expires_at: string; type: string }>(sql`
    select a.organization_id, b.id as batch_id, (b.remaining - b.held)::text as remaining, b.expires_at::text as expires_at, b.type::text as type
      from batches b join accounts a on a.id = b.account_id
     where a.kind = 'organization' and b.voided_at is null and b.expired_at is null and b.remaining > 0
       and b.expires_at > ${now.toISOString()}::timestamptz and b.expires_at <= ${until.toISOString()}::timestamptz
       and not exists (select 1 from notifications n where n.organization_id = a.organization_id and n.kind = 'batch_expiring' and n.dedupe_key = 'batch:' || b.id::text)`);
  let created = 0;
  for (const row of rows) {
    const expires = new Date(row.expires_at.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00"));
    const ok = await notify(db, {
      organizationId: row.organization_id,
      kind: "batch_expiring",
      title: `${Credits.format(BigInt(row.remaining))} ${row.type === "free" ? "Free" : "Paid"} credits expire on ${formatDate(expires)}`,
      body: `A batch of your credits expires on ${formatDate(expires)}; what is left of it then cannot be spent. Credits are spent soonest-expiry first, so use them or plan a top-up.`,
      link: "/credit/active",
      dedupeKey: `batch:${row.batch_id}`,
      data: { batch_id: row.batch_id },
      // Sent only with a new notice: the batch's dedupe key keeps later runs from mailing it again.
      email: true,
    });
    if (ok) created++;
  }
  return created;
}
