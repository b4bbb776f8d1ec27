import type { Metadata } from "next";
import { UsageReportView } from "@/components/usage/usage-report";
import { db } from "@/db/client";
import { requireOrgContext } from "@/lib/auth/context";
import { parseRange } from "@/lib/reports/arithmetic";
import { getUsageReport } from "@/lib/reports/usage-report";

export const metadata: Metadata = { title: "Usage & Reports" };

export default async function UsagePage() {
  const ctx = await requireOrgContext();
  // An agency's admins may also split by sub-account (the API checks it again for every request).
  const canSplitBySubAccount = ctx.org.kind === "agency" && ctx.org.parentId === null && ctx.role === "admin";
  // The default range (last 30 days) is rendered on the server: numbers and tables arrive with the HTML,
  // and only the charts wait for the browser (read from the rollup, a few ms).
  const initialReport = await getUsageReport(db(), ctx.org.id, parseRange({ days: "30" }, new Date()));
  return (
    <div className="grid gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Usage &amp; Reports</h1>
        <p className="text-sm text-muted-foreground">
          Where {ctx.org.name}&apos;s credits went: by category, bot type, bot and pool{canSplitBySubAccount ? ", and by sub-account" : ""}.
        </p>
      </div>
      <UsageReportView orgId={ctx.org.id} canSplitBySubAccount={canSplitBySubAccount} initialReport={initialReport} />
    </div>
  );
}
