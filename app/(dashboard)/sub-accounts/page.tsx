import type { Metadata } from "next";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { SubAccountsView } from "@/components/sub-accounts/sub-accounts-view";
import { db } from "@/db/client";
import { listSubAccounts } from "@/lib/agency";
import { requireOrgContext } from "@/lib/auth/context";

export const metadata: Metadata = { title: "Sub-accounts" };
export const dynamic = "force-dynamic";

export default async function SubAccountsPage() {
  const ctx = await requireOrgContext();
  if (ctx.org.kind !== "agency" || ctx.role !== "admin") return <NotForThisOrg />;
  const data = await listSubAccounts(db(), { userId: ctx.user.id, orgId: ctx.org.id });
  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Sub-accounts</h1>
          <p className="text-sm text-muted-foreground">Your clients: assign them credits from your pool, take back what they have not spent, and see their usage.</p>
        </div>
        <Button asChild variant="outline">
          <Link href="/sub-accounts/pricing">Pricing for sub-accounts</Link>
        </Button>
      </div>
      <SubAccountsView orgId={ctx.org.id} initialData={data} />
    </div>
  );
}

function NotForThisOrg() {
  return (
    <div className="grid gap-4">
      <h1 className="text-2xl font-semibold">Sub-accounts</h1>
      <Card>
        <CardContent className="p-5 text-sm text-muted-foreground" role="alert">
          Sub-accounts are managed by an agency&apos;s admins. Switch to your agency organization to manage them.
        </CardContent>
      </Card>
    </div>
  );
}
