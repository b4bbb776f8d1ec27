import type { Db } from "@/db/client";
import { recordAudit } from "@/lib/audit";
import { InvalidInputError } from "@/lib/errors";
import { Credits, getOrCreateOrgAccount, transferCredits, type BatchType, type TransferCreditsResult } from "@/lib/ledger";
import { requireActiveLocked, requireAgencyAdmin, requireOwnSubAccount, type AgencyActor } from "./access";

export interface AssignCreditsInput {
  subAccountId: string;
  /** Micro-credits, > 0. */
  amount: bigint;
  /** Type of the new batches; default: each source batch's own type (Free stays Free, Paid stays Paid). */
  type?: BatchType;
  /** Expiry of the new batches: as chosen but never later than each source batch's; null = keep the source's. */
  expiresAt?: Date | null;
  note?: string;
  now?: Date;
}

export interface TransferSummary {
  transferId: string;
  amount: string;
  subAccountId: string;
  subAccountName: string;
  created: { batchId: string; type: BatchType; amount: string; expiresAt: string | null }[];
}

export function summarize(result: TransferCreditsResult, sub: { id: string; name: string }): TransferSummary {
  return {
    transferId: result.transferId,
    amount: Credits.format(result.amount),
    subAccountId: sub.id,
    subAccountName: sub.name,
    created: result.created.map((c) => ({ batchId: c.batchId, type: c.type, amount: Credits.format(c.amount), expiresAt: c.expiresAt?.toISOString() ?? null })),
  };
}

/**
 * Agency → sub-account (SPEC §8, §17 ex. 5): `transferCredits` from the agency's pool in its consumption
 * order; not enough available → InsufficientCreditsError (402) and nothing moves. The transfer and the
 * audit rows of both organizations are one transaction. Both organizations' activity shows the
 * transfer_out / transfer_in entries.
 */
export async function assignCredits(db: Db, actor: AgencyActor, input: AssignCreditsInput): Promise<TransferSummary> {
  if (typeof input.amount !== "bigint" || input.amount <= 0n) throw new InvalidInputError("amount", "Enter an amount above 0");
  const agency = await requireAgencyAdmin(db, actor);
  const found = await requireOwnSubAccount(db, agency.id, input.subAccountId);
  const from = await getOrCreateOrgAccount(db, agency.id);
  const to = await getOrCreateOrgAccount(db, found.id);
  return db.transaction(async (tx) => {
    // The status is checked here, not before the transaction: a suspend committing in between would
    // otherwise still receive these credits.
    const sub = await requireActiveLocked(tx, found);
    const result = await transferCredits(tx, {
      fromAccountId: from.id,
      toAccountId: to.id,
      amount: input.amount,
      type: input.type,
      expiresAt: input.expiresAt ?? null,
      note: input.note ?? `Assigned to ${sub.name}`,
      now: input.now,
    });
    const data = {
      transfer_id: result.transferId,
      amount: Credits.format(result.amount),
      from_organization_id: agency.id,
      to_organization_id: sub.id,
      type: input.type ?? "as_source",
      expires_at: input.expiresAt?.toISOString() ?? null,
      outflows: result.outflows.map((o) => ({ batch_id: o.batchId, amount: Credits.format(o.amount) })),
    };
    await recordAudit(tx, { organizationId: agency.id, actorUserId: actor.userId, action: "credits.assigned", subjectType: "organization", subjectId: sub.id, data });
    await recordAudit(tx, { organizationId: sub.id, actorUserId: actor.userId, action: "credits.assigned", subjectType: "organization", subjectId: sub.id, data });
    return summarize(result, sub);
  });
}
