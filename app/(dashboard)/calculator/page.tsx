import type { Metadata } from "next";
import { CreditCalculator } from "@/components/calculator/calculator";
import { requireOrgContext } from "@/lib/auth/context";

export const metadata: Metadata = { title: "Calculator" };

export default async function CalculatorPage() {
  const ctx = await requireOrgContext();
  return (
    <div className="grid gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Credit calculator</h1>
        <p className="text-sm text-muted-foreground">
          Conversations × answers × category mix × bot type → credits per month, filled in from {ctx.org.name}&apos;s own averages.
        </p>
      </div>
      <CreditCalculator orgId={ctx.org.id} />
    </div>
  );
}
