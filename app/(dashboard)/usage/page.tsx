import type { Metadata } from "next";
import { UsageReportView } from "@/components/usage/usage-report";
import { requireOrgContext } from "@/lib/auth/context";

export const metadata: Metadata = { title: "Usage & Reports" };

export default async function UsagePage() {
  const ctx = await requireOrgContext();
  return (
    <div className="grid gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Usage &amp; Reports</h1>
        <p className="text-sm text-muted-foreground">Where {ctx.org.name}&apos;s credits went: by category, bot type, bot and pool.</p>
      </div>
      <UsageReportView orgId={ctx.org.id} />
    </div>
  );
}
