import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { bots, endUsers, orders } from "@/db/schema";
import { isUuid } from "@/lib/ids";

export interface OrderRow {
  id: string;
  kind: "pack" | "plan" | "plan_renewal";
  description: string;
  buyerKind: "organization" | "end_user";
  botName: string | null;
  endUserExternalId: string | null;
  /** decimal credit strings */
  credits: bigint;
  bonusCredits: bigint;
  amountMinor: number;
  currency: string;
  status: string;
  lastError: string | null;
  createdAt: Date;
  paidAt: Date | null;
  stripeCheckoutSessionId: string | null;
  stripeInvoiceId: string | null;
}

/** The Orders list of an organization: its own purchases and those of its bots' end users, newest first. */
export async function listOrders(db: DbOrTx, organizationId: string, options: { limit?: number; endUserId?: string } = {}): Promise<OrderRow[]> {
  const rows = await db
    .select({
      id: orders.id,
      kind: orders.kind,
      description: orders.description,
      buyerKind: orders.buyerKind,
      botName: bots.name,
      endUserExternalId: endUsers.externalId,
      credits: orders.credits,
      bonusCredits: orders.bonusCredits,
      amountMinor: orders.amountMinor,
      currency: orders.currency,
      status: orders.status,
      lastError: orders.lastError,
      createdAt: orders.createdAt,
      paidAt: orders.paidAt,
      stripeCheckoutSessionId: orders.stripeCheckoutSessionId,
      stripeInvoiceId: orders.stripeInvoiceId,
    })
    .from(orders)
    .leftJoin(bots, eq(bots.id, orders.botId))
    .leftJoin(endUsers, eq(endUsers.id, orders.endUserId))
    .where(and(eq(orders.organizationId, organizationId), options.endUserId && isUuid(options.endUserId) ? eq(orders.endUserId, options.endUserId) : undefined))
    .orderBy(desc(orders.createdAt))
    .limit(options.limit ?? 100);
  return rows;
}

export const ORDER_STATUS_LABEL: Record<string, string> = {
  pending: "Awaiting payment",
  processing: "Payment processing",
  paid: "Paid",
  payment_failed: "Payment failed",
  expired: "Expired",
  refunded: "Refunded",
  disputed: "Disputed",
  partially_refunded: "Partly refunded",
};
