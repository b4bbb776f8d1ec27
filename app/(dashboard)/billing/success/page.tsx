import type { Metadata } from "next";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { PurchaseOutcome } from "@/components/billing/purchase-outcome";
import { db } from "@/db/client";
import { requireOrgContext } from "@/lib/auth/context";
import { fulfilCheckoutSession } from "@/lib/billing/fulfil";
import { summarizePurchase } from "@/lib/billing/purchase-summary";
import { getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { getBalance } from "@/lib/ledger/get-balance";
import { Credits } from "@/lib/ledger/credits";
import { formatCredits } from "@/lib/format";

export const metadata: Metadata = { title: "Purchase complete" };
export const dynamic = "force-dynamic";

/**
 * Stripe's success_url: fulfils the session (the webhook may have already; either way exactly once) and shows
 * what the payment did, a refund or dispute since included (the page can be reopened from history).
 */
export default async function BillingSuccessPage({ searchParams }: { searchParams: Promise<{ session_id?: string }> }) {
  const ctx = await requireOrgContext();
  const { session_id: sessionId } = await searchParams;
  const result = sessionId && /^cs_[A-Za-z0-9_]+$/.test(sessionId) ? await fulfilCheckoutSession(db(), sessionId).catch(() => null) : null;
  const order = result?.order && result.order.organizationId === ctx.org.id && result.order.buyerKind === "organization" ? result.order : null;
  if (!result || !order) {
    return (
      <Card>
        <CardContent className="grid gap-3 p-5">
          <h1 className="text-xl font-semibold">Purchase not found</h1>
          <p className="text-sm text-muted-foreground">This checkout does not belong to this organization.</p>
          <Button asChild variant="outline" className="w-fit">
            <Link href="/billing">Back to Billing</Link>
          </Button>
        </CardContent>
      </Card>
    );
  }
  const account = await getOrCreateOrgAccount(db(), ctx.org.id);
  const balance = await getBalance(db(), account.id);
  const summary = await summarizePurchase(db(), { ...result, order });
  return (
    <Card>
      <CardContent className="grid gap-3 p-5">
        <PurchaseOutcome summary={summary} audience="owner" />
        <p data-testid="new-total">
          Available credits now: <strong>{formatCredits(Credits.format(balance.available))}</strong>
        </p>
        <div className="flex gap-2">
          <Button asChild>
            <Link href="/credit">My Credit</Link>
          </Button>
          <Button asChild variant="outline">
            <Link href="/billing">Billing</Link>
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}
