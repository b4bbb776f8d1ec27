import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { AgencyPackForm, PackStatusButton } from "@/components/sub-accounts/pricing";
import { db } from "@/db/client";
import { getAgencyPricing } from "@/lib/agency";
import { requireOrgContext } from "@/lib/auth/context";
import { CURRENCIES, pricePerCredit } from "@/lib/billing/offers";
import { ORDER_STATUS_LABEL } from "@/lib/billing/orders";
import { DomainError } from "@/lib/errors";
import { formatCredits, formatDateTime, formatMoney } from "@/lib/format";
import { Credits } from "@/lib/ledger/credits";

export const metadata: Metadata = { title: "Pricing for sub-accounts" };
export const dynamic = "force-dynamic";

export default async function AgencyPricingPage() {
  const ctx = await requireOrgContext();
  const { packs, sales } = await getAgencyPricing(db(), { userId: ctx.user.id, orgId: ctx.org.id }).catch((e) => {
    if (e instanceof DomainError && (e.status === 403 || e.status === 404)) notFound();
    throw e;
  });
  const c = (v: bigint) => formatCredits(Credits.format(v));
  return (
    <div className="grid gap-4">
      <div>
        <p className="text-sm">
          <Link href="/sub-accounts" className="text-muted-foreground underline-offset-4 hover:underline">
            Sub-accounts
          </Link>
        </p>
        <h1 className="text-2xl font-semibold">Pricing for sub-accounts</h1>
        <p className="text-sm text-muted-foreground">
          Packs your sub-accounts can buy on their Billing page through Checkout, at your price. Their credits land in the sub-account; the order
          shows here and on their Billing page.
        </p>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>New pack</CardTitle>
        </CardHeader>
        <CardContent>
          <AgencyPackForm currencies={CURRENCIES} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Your packs</CardTitle>
        </CardHeader>
        <CardContent className="p-0">
          {packs.length === 0 ? (
            <p className="p-5 text-sm text-muted-foreground">No packs yet.</p>
          ) : (
            <Table aria-label="Agency packs">
              <TableHeader>
                <TableRow>
                  <TableHead>Pack</TableHead>
                  <TableHead className="text-right">Credits</TableHead>
                  <TableHead className="text-right">Bonus</TableHead>
                  <TableHead className="text-right">Price</TableHead>
                  <TableHead className="text-right">Per credit</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead>
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {packs.map((p) => (
                  <TableRow key={p.id}>
                    <TableCell className="font-medium">{p.name}</TableCell>
                    <TableCell className="text-right tabular-nums">{c(p.credits)}</TableCell>
                    <TableCell className="text-right tabular-nums">{p.bonusCredits > 0n ? `${c(p.bonusCredits)} (${p.bonusExpiresInDays} days)` : "—"}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatMoney(p.priceMinor, p.currency)}</TableCell>
                    <TableCell className="text-right tabular-nums">{pricePerCredit(p.priceMinor, p.credits, p.currency)}</TableCell>
                    <TableCell>
                      <Badge variant={p.status === "active" ? "free" : "outline"}>{p.status === "active" ? "On sale" : "Archived"}</Badge>
                    </TableCell>
                    <TableCell className="text-right">
                      <PackStatusButton packId={p.id} packName={p.name} status={p.status} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Sales to sub-accounts</CardTitle>
        </CardHeader>
        <CardContent className="p-0">
          {sales.length === 0 ? (
            <p className="p-5 text-sm text-muted-foreground">No orders yet.</p>
          ) : (
            <Table aria-label="Sales to sub-accounts">
              <TableHeader>
                <TableRow>
                  <TableHead>Date</TableHead>
                  <TableHead>Sub-account</TableHead>
                  <TableHead>Pack</TableHead>
                  <TableHead className="text-right">Credits</TableHead>
                  <TableHead className="text-right">Amount</TableHead>
                  <TableHead>Status</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {sales.map((s) => (
                  <TableRow key={s.id}>
                    <TableCell>{formatDateTime(s.paidAt ?? s.createdAt)}</TableCell>
                    <TableCell>{s.subAccountName}</TableCell>
                    <TableCell>{s.description}</TableCell>
                    <TableCell className="text-right tabular-nums">
                      {c(s.credits)}
                      {s.bonusCredits > 0n ? ` + ${c(s.bonusCredits)}` : ""}
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{formatMoney(s.amountMinor, s.currency)}</TableCell>
                    <TableCell>{ORDER_STATUS_LABEL[s.status] ?? s.status}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
