import { eq, inArray } from "drizzle-orm";
import type Stripe from "stripe";
import type { DbOrTx } from "@/db/client";
import { orders, recharges } from "@/db/schema";
import { Credits } from "@/lib/ledger/credits";
import { findOrgCustomer } from "./customers";
import { getStripe } from "./stripe";

const PAID_RECHARGE: string[] = ["succeeded", "partially_refunded", "refunded", "disputed"];

export interface InvoiceRow {
  id: string;
  number: string | null;
  date: Date;
  what: string;
  credits: string | null;
  amountMinor: number;
  currency: string;
  status: string;
  pdfUrl: string | null;
  hostedUrl: string | null;
}

/**
 * Billing → Invoices: the organization's Stripe invoices (one list call), each with the credits it
 * bought from our own records (recharges and pack orders). If Stripe cannot be reached, our records
 * alone, so the page still shows what was bought.
 */
export async function listInvoices(db: DbOrTx, organizationId: string, stripe: Stripe = getStripe()): Promise<{ rows: InvoiceRow[]; stripeError: boolean }> {
  const customer = await findOrgCustomer(db, organizationId);
  if (!customer) return { rows: [], stripeError: false };
  const ourRecharges = await db.select().from(recharges).where(eq(recharges.organizationId, organizationId));
  const ourOrders = await db.select().from(orders).where(eq(orders.organizationId, organizationId));
  const creditsByInvoice = new Map<string, { what: string; credits: bigint }>();
  for (const r of ourRecharges) if (r.stripeInvoiceId) creditsByInvoice.set(r.stripeInvoiceId, { what: "Auto-recharge", credits: r.amount });
  for (const o of ourOrders) if (o.stripeInvoiceId) creditsByInvoice.set(o.stripeInvoiceId, { what: o.description, credits: o.credits + o.bonusCredits });
  try {
    const list = await stripe.invoices.list({ customer, limit: 100 });
    const rows = list.data
      .filter((inv) => inv.status !== "draft")
      .map((inv) => {
        const ours = creditsByInvoice.get(inv.id!);
        return {
          id: inv.id!,
          number: inv.number ?? null,
          date: new Date(inv.created * 1000),
          what: ours?.what ?? inv.description ?? "Invoice",
          credits: ours ? Credits.format(ours.credits) : null,
          amountMinor: inv.status === "paid" ? inv.amount_paid : inv.amount_due,
          currency: inv.currency,
          status: inv.status ?? "open",
          pdfUrl: inv.invoice_pdf ?? null,
          hostedUrl: inv.hosted_invoice_url ?? null,
        };
      });
    return { rows, stripeError: false };
  } catch (error) {
    console.error("[invoices] Stripe list failed", error);
    const invoiceIds = [...creditsByInvoice.keys()];
    const known = invoiceIds.length ? await db.select().from(recharges).where(inArray(recharges.stripeInvoiceId, invoiceIds)) : [];
    return {
      rows: known.map((r) => ({
        id: r.stripeInvoiceId!,
        number: null,
        date: r.createdAt,
        what: "Auto-recharge",
        credits: Credits.format(r.amount),
        amountMinor: r.priceCents,
        currency: r.currency,
        // Paid on Stripe, whatever happened after (a refund does not unpay an invoice).
        status: PAID_RECHARGE.includes(r.status) ? "paid" : "open",
        pdfUrl: r.invoicePdfUrl,
        hostedUrl: r.hostedInvoiceUrl,
      })),
      stripeError: true,
    };
  }
}
