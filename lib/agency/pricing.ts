import { and, desc, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { orders, organizations } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { createAgencyPack, listAgencyPacks, setPackStatus, type CreditPack, type PackTerms } from "@/lib/billing";
import { requireAgencyAdmin, type AgencyActor } from "./access";

export interface AgencySale {
  id: string;
  subAccountId: string;
  subAccountName: string;
  description: string;
  credits: bigint;
  bonusCredits: bigint;
  amountMinor: number;
  currency: string;
  status: string;
  createdAt: Date;
  paidAt: Date | null;
}

/**
 * Agency pricing (SPEC §6, §8): the packs the agency sells to its sub-accounts (lib/billing's
 * `agency_to_sub_account` packs; sub-accounts buy them on their Billing page through Checkout) and the
 * orders its sub-accounts placed for them — the agency's side of "the order shows for both".
 */
export async function getAgencyPricing(db: DbOrTx, actor: AgencyActor): Promise<{ packs: CreditPack[]; sales: AgencySale[] }> {
  const agency = await requireAgencyAdmin(db, actor);
  const [packs, sales] = await Promise.all([
    listAgencyPacks(db, agency.id, { includeArchived: true }),
    db
      .select({
        id: orders.id,
        subAccountId: orders.organizationId,
        subAccountName: organizations.name,
        description: orders.description,
        credits: orders.credits,
        bonusCredits: orders.bonusCredits,
        amountMinor: orders.amountMinor,
        currency: orders.currency,
        status: orders.status,
        createdAt: orders.createdAt,
        paidAt: orders.paidAt,
      })
      .from(orders)
      .innerJoin(organizations, and(eq(organizations.id, orders.organizationId), eq(organizations.parentId, agency.id)))
      .where(and(eq(orders.sellerOrganizationId, agency.id), sql`${orders.buyerKind} = 'organization'`))
      .orderBy(desc(orders.createdAt))
      .limit(100),
  ]);
  return { packs: packs.sort((a, b) => (a.status === b.status ? 0 : a.status === "active" ? -1 : 1)), sales };
}

/** A new pack for the agency's sub-accounts (terms checked by lib/billing). */
export async function createAgencyPackFor(db: Db, actor: AgencyActor, terms: PackTerms): Promise<CreditPack> {
  const agency = await requireAgencyAdmin(db, actor);
  return db.transaction(async (tx) => {
    const pack = await createAgencyPack(tx, { ...terms, organizationId: agency.id });
    await recordAudit(tx, {
      organizationId: agency.id,
      actorUserId: actor.userId,
      action: "agency_pack.created",
      subjectType: "credit_pack",
      subjectId: pack.id,
      data: { name: pack.name, price_minor: pack.priceMinor, currency: pack.currency, credits: pack.credits.toString(), bonus_credits: pack.bonusCredits.toString() },
    });
    return pack;
  });
}

/** Stop (or resume) selling one of the agency's packs; another seller's pack → 404. */
export async function setAgencyPackStatus(db: Db, actor: AgencyActor, input: { packId: string; status: "active" | "archived" }): Promise<CreditPack> {
  const agency = await requireAgencyAdmin(db, actor);
  return db.transaction(async (tx) => {
    const pack = await setPackStatus(tx, { sellerOrganizationId: agency.id, packId: input.packId, status: input.status });
    await recordAudit(tx, { organizationId: agency.id, actorUserId: actor.userId, action: `agency_pack.${input.status}`, subjectType: "credit_pack", subjectId: pack.id, data: { name: pack.name } });
    return pack;
  });
}
