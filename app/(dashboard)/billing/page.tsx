import type { Metadata } from "next";
import { BuyPackButton } from "@/components/billing/buy-pack-button";
import { OrdersTable } from "@/components/billing/orders-table";
import { PackCard } from "@/components/billing/pack-card";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { db } from "@/db/client";
import { requireOrgContext } from "@/lib/auth/context";
import { listAgencyPacks, listPlatformPacks } from "@/lib/billing/offers";
import { listOrders } from "@/lib/billing/orders";
import { listInvoices } from "@/lib/billing/invoices";
import { saveCardFromSession } from "@/lib/billing/auto-recharge/card";
import { getAutoRechargeState } from "@/lib/billing/auto-recharge/state";
import { AutoRechargeForm } from "@/components/billing/auto-recharge-form";
import { InvoicesTable } from "@/components/billing/invoices-table";

export const metadata: Metadata = { title: "Billing" };

export default async function BillingPage({ searchParams }: { searchParams: Promise<{ canceled?: string; card_session?: string; card_canceled?: string }> }) {
  const ctx = await requireOrgContext();
  const { canceled, card_session: cardSession, card_canceled: cardCanceled } = await searchParams;
  // Back from Checkout in setup mode: store the card now (the setup_intent.succeeded webhook does the same, idempotently).
  const savedCard = cardSession ? await saveCardFromSession(db(), ctx.org.id, cardSession) : null;
  const isAdmin = ctx.role === "admin";
  const isSubAccount = Boolean(ctx.org.parentId);
  const [packs, orders] = await Promise.all([isSubAccount ? listAgencyPacks(db(), ctx.org.parentId!) : listPlatformPacks(db()), listOrders(db(), ctx.org.id)]);
  return (
    <div className="grid gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Billing</h1>
        <p className="text-sm text-muted-foreground">Buy credit packs for this organization&apos;s pool. Paid credits do not expire; bonus credits expire as shown.</p>
      </div>
      {canceled ? (
        <p role="status" className="rounded-md border border-border bg-muted px-3 py-2 text-sm">
          Checkout was canceled. Nothing was charged.
        </p>
      ) : null}
      {savedCard ? (
        <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm">
          Card ending in {savedCard.last4} saved for auto-recharge.
        </p>
      ) : null}
      {cardCanceled ? (
        <p role="status" className="rounded-md border border-border bg-muted px-3 py-2 text-sm">
          No card was saved.
        </p>
      ) : null}
      {packs.length > 0 || !isSubAccount ? (
        <section aria-labelledby="packs-heading" className="grid gap-3">
          <h2 id="packs-heading" className="text-lg font-semibold">
            {isSubAccount ? "Credit packs from your agency" : "Credit packs"}
          </h2>
          {packs.length === 0 ? (
            <p className="text-sm text-muted-foreground">No packs are on sale right now.</p>
          ) : (
            <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
              {packs.map((pack) => (
                <PackCard key={pack.id} pack={pack} action={<BuyPackButton packId={pack.id} packName={pack.name} disabled={!isAdmin} />} />
              ))}
            </div>
          )}
          {!isAdmin ? <p className="text-xs text-muted-foreground">Only an admin of this organization can buy packs.</p> : null}
        </section>
      ) : null}
      {!isSubAccount ? (
        <Card>
          <CardHeader>
            <CardTitle>
              <span id="auto-recharge" className="text-base font-semibold text-foreground">
                Auto-recharge
              </span>
            </CardTitle>
            <p className="text-sm text-muted-foreground">Keep your bots answering: when available credits fall below the threshold, we charge your card once for the top-up amount.</p>
          </CardHeader>
          <CardContent>
            <AutoRechargeForm state={await getAutoRechargeState(db(), ctx.org.id)} canManage={isAdmin} />
          </CardContent>
        </Card>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>
            <span className="text-base font-semibold text-foreground">Invoices</span>
          </CardTitle>
        </CardHeader>
        <CardContent>
          <InvoicesTable {...await listInvoices(db(), ctx.org.id)} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>
            <span className="text-base font-semibold text-foreground">Orders</span>
          </CardTitle>
        </CardHeader>
        <CardContent>
          <OrdersTable orders={orders} />
        </CardContent>
      </Card>
    </div>
  );
}
