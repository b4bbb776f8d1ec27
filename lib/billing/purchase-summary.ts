import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import type { BatchView } from "@/lib/ledger/batch-view";
import type { FulfilResult, FulfilStatus, Order } from "./fulfil";

export type PurchaseOutcome =
  | "credited" // paid; the credits it gave are the buyer's
  | "refunded" // refunded in full: its unspent credits were taken back
  | "partially_refunded" // part of the payment refunded: that share of its credits was taken back
  | "disputed" // the payment is disputed: its unspent credits were taken back
  | "processing" // an asynchronous payment is under way; nothing granted yet
  | "not_completed"; // not paid; nothing granted

/**
 * What became of a purchase, from the order's own status (a refund or dispute after the grant leaves the
 * order so; its batches stay the order's granted ones, voided) rather than from "it has batches".
 */
export function purchaseOutcome(status: FulfilStatus, order: Pick<Order, "status">, batches: readonly BatchView[]): PurchaseOutcome {
  if (order.status === "refunded" || order.status === "partially_refunded" || order.status === "disputed") return order.status;
  if (batches.length > 0) return "credited";
  return status === "processing" ? "processing" : "not_completed";
}

/** What a success page (the owner's or an end user's) says a purchase did. */
export interface PurchaseSummary {
  outcome: PurchaseOutcome;
  /** µc the payment granted: the paid batch, then the bonus (0 when none). */
  paid: bigint;
  bonus: bigint;
  /** µc a refund or dispute took back from those batches so far (credits already spent stay spent). */
  takenBack: bigint;
  /** µc of this purchase the buyer keeps: granted − taken back. */
  kept: bigint;
}

/** A fulfilled (or not yet fulfilled) purchase, with what refunds and disputes took back from it since. */
export async function summarizePurchase(db: DbOrTx, result: FulfilResult & { order: Order }): Promise<PurchaseSummary> {
  const batches = result.batches;
  const paid = batches.find((b) => b.type === "paid")?.amount ?? 0n;
  const bonus = batches.filter((b) => b.type !== "paid").reduce((sum, b) => sum + b.amount, 0n);
  const takenBack = await voidedFrom(db, result.order.accountId, batches);
  return { outcome: purchaseOutcome(result.status, result.order, batches), paid, bonus, takenBack, kept: paid + bonus - takenBack };
}

/** µc voided (refund, dispute) from these batches of the account, read from the ledger's void entries. */
async function voidedFrom(db: DbOrTx, accountId: string, batches: readonly BatchView[]): Promise<bigint> {
  if (batches.length === 0) return 0n;
  const [row] = (await db.execute(
    sql`select coalesce(-sum(remaining_delta), 0)::text as voided from ledger_entries
         where account_id = ${accountId} and kind = 'void' and batch_id = any(${`{${batches.map((b) => b.id).join(",")}}`}::uuid[])`,
  )) as unknown as { voided: string }[];
  return BigInt(row.voided);
}
