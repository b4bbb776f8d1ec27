import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { recordAudit } from "@/lib/audit";
import { ConflictError, InvalidInputError } from "@/lib/errors";
import { Credits, getOrCreateOrgAccount, transferCredits } from "@/lib/ledger";
import { requireAgencyAdmin, requireOwnSubAccount, type AgencyActor } from "./access";
import { summarize, type TransferSummary } from "./assign-credits";

/**
 * What the agency may take back: the unspent, unheld remainder of the sub-account's live batches that
 * came from assignments (source `assignment`). Credits the sub-account bought itself are never counted.
 */
export async function reclaimableCredits(db: DbOrTx, subAccountPoolId: string, now?: Date): Promise<bigint> {
  const at = (now ?? new Date()).toISOString();
  const [row] = (await db.execute(
    sql`select coalesce(sum(remaining - held), 0)::text as n from batches
         where account_id = ${subAccountPoolId} and source = 'assignment' and voided_at is null and remaining > held
           and added_at <= ${at}::timestamptz and (expires_at is null or expires_at > ${at}::timestamptz)`,
  )) as unknown as { n: string }[];
  return BigInt(row.n);
}

export class ReclaimExceedsAssignedError extends ConflictError {
  constructor(requested: bigint, reclaimable: bigint) {
    super("reclaim_exceeds_assigned", `Only ${Credits.format(reclaimable)} assigned credits are unspent`, {
      requested: Credits.format(requested),
      reclaimable: Credits.format(reclaimable),
      errors: [{ field: "amount", message: `At most ${Credits.format(reclaimable)} (the unspent assigned credits)` }],
    });
  }
}

/**
 * Sub-account → agency: takes back up to the sub-account's unspent assigned credits (default: all of them).
 * Both pools are locked (in the same id order transferCredits uses) before the reclaimable amount is read,
 * so a concurrent spend or reclaim cannot push it past what is there. Only assignment batches are taken
 * (in the sub-account's consumption order): credits it bought itself stay where they are.
 */
export async function reclaimCredits(
  db: Db,
  actor: AgencyActor,
  input: { subAccountId: string; amount?: bigint | null; note?: string; now?: Date },
): Promise<TransferSummary> {
  if (input.amount != null && (typeof input.amount !== "bigint" || input.amount <= 0n)) throw new InvalidInputError("amount", "Enter an amount above 0");
  const agency = await requireAgencyAdmin(db, actor);
  const sub = await requireOwnSubAccount(db, agency.id, input.subAccountId);
  const to = await getOrCreateOrgAccount(db, agency.id);
  const from = await getOrCreateOrgAccount(db, sub.id);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select id from accounts where id in (${from.id}, ${to.id}) order by id for no key update`);
    const reclaimable = await reclaimableCredits(tx, from.id, input.now);
    const amount = input.amount ?? reclaimable;
    if (amount <= 0n) throw new ReclaimExceedsAssignedError(amount, reclaimable);
    if (amount > reclaimable) throw new ReclaimExceedsAssignedError(amount, reclaimable);
    const result = await transferCredits(tx, {
      fromAccountId: from.id,
      toAccountId: to.id,
      amount,
      sources: ["assignment"],
      note: input.note ?? `Reclaimed from ${sub.name}`,
      now: input.now,
    });
    const data = {
      transfer_id: result.transferId,
      amount: Credits.format(result.amount),
      from_organization_id: sub.id,
      to_organization_id: agency.id,
      outflows: result.outflows.map((o) => ({ batch_id: o.batchId, amount: Credits.format(o.amount) })),
    };
    await recordAudit(tx, { organizationId: agency.id, actorUserId: actor.userId, action: "credits.reclaimed", subjectType: "organization", subjectId: sub.id, data });
    await recordAudit(tx, { organizationId: sub.id, actorUserId: actor.userId, action: "credits.reclaimed", subjectType: "organization", subjectId: sub.id, data });
    return summarize(result, sub);
  });
}
