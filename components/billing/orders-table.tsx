import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ORDER_STATUS_LABEL, type OrderRow } from "@/lib/billing/orders";
import { Credits } from "@/lib/ledger/credits";
import { formatCredits, formatDateTime, formatMoney } from "@/lib/format";

const STATUS_VARIANT: Record<string, "default" | "free" | "paid" | "warning" | "danger" | "outline"> = {
  paid: "free",
  pending: "outline",
  processing: "warning",
  payment_failed: "danger",
  expired: "default",
  refunded: "warning",
  disputed: "danger",
  partially_refunded: "warning",
};

const KIND_LABEL = { pack: "Credit pack", plan: "Plan", plan_renewal: "Plan renewal" } as const;

export function OrdersTable({ orders }: { orders: OrderRow[] }) {
  if (orders.length === 0) return <p className="text-sm text-muted-foreground">No orders yet. Packs you or your bots&apos; end users buy appear here.</p>;
  return (
    <Table aria-label="Orders">
      <TableHeader>
        <TableRow>
          <TableHead>Date</TableHead>
          <TableHead>Order</TableHead>
          <TableHead>Buyer</TableHead>
          <TableHead className="text-right">Credits</TableHead>
          <TableHead className="text-right">Amount</TableHead>
          <TableHead>Status</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {orders.map((o) => (
          <TableRow key={o.id}>
            <TableCell className="whitespace-nowrap">{formatDateTime(o.paidAt ?? o.createdAt)}</TableCell>
            <TableCell>
              <div className="font-medium">{o.description}</div>
              <div className="text-xs text-muted-foreground">{KIND_LABEL[o.kind]}</div>
            </TableCell>
            <TableCell>
              {o.buyerKind === "organization" ? (
                "Your organization"
              ) : (
                <span>
                  End user <span className="font-mono text-xs">{o.endUserExternalId}</span>
                  <span className="text-xs text-muted-foreground"> · {o.botName}</span>
                </span>
              )}
            </TableCell>
            <TableCell className="text-right tabular-nums">
              {formatCredits(Credits.format(o.credits))}
              {o.bonusCredits > 0n ? <span className="text-xs text-muted-foreground"> + {formatCredits(Credits.format(o.bonusCredits))} bonus</span> : null}
            </TableCell>
            <TableCell className="text-right tabular-nums">{formatMoney(o.amountMinor, o.currency)}</TableCell>
            <TableCell>
              <Badge variant={STATUS_VARIANT[o.status] ?? "default"} title={o.lastError ?? undefined}>
                {ORDER_STATUS_LABEL[o.status] ?? o.status}
              </Badge>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
