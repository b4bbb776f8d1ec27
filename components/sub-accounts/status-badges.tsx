import { Badge } from "@/components/ui/badge";
import type { CreditStatus } from "@/lib/agency/list-sub-accounts";

const CREDIT: Record<CreditStatus, { label: string; variant: "free" | "warning" | "danger" }> = {
  active: { label: "Active", variant: "free" },
  low: { label: "Low", variant: "warning" },
  out: { label: "Out of credits", variant: "danger" },
};

/** Suspended wins over the credit status; else active / low / out of credits. */
export function SubAccountStatus({ status, creditStatus }: { status: "active" | "suspended"; creditStatus: CreditStatus }) {
  if (status === "suspended") return <Badge variant="outline">Suspended</Badge>;
  const s = CREDIT[creditStatus];
  return <Badge variant={s.variant}>{s.label}</Badge>;
}
