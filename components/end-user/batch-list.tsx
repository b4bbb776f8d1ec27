import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { BatchView } from "@/lib/ledger/batch-view";
import { Credits } from "@/lib/ledger/credits";
import { formatCredits, formatDate } from "@/lib/format";

const SOURCE_LABEL: Record<string, string> = {
  pack: "Credit pack",
  pack_bonus: "Bonus",
  end_user_plan: "Plan",
  promo: "Gift from the bot owner",
  adjustment: "Adjustment",
};

/** The end user's live batches in the order they are used. */
export function BatchList({ batches }: { batches: BatchView[] }) {
  if (batches.length === 0) return <p className="text-sm text-muted-foreground">You have no credits in this bot right now.</p>;
  return (
    <Table aria-label="Your credits">
      <TableHeader>
        <TableRow>
          <TableHead>From</TableHead>
          <TableHead>Type</TableHead>
          <TableHead className="text-right">Received</TableHead>
          <TableHead className="text-right">Remaining</TableHead>
          <TableHead>Added</TableHead>
          <TableHead>Expires</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {batches.map((b) => (
          <TableRow key={b.id} data-testid="end-user-batch">
            <TableCell>{SOURCE_LABEL[b.source] ?? b.source}</TableCell>
            <TableCell>
              <Badge variant={b.type === "free" ? "free" : "paid"}>{b.type === "free" ? "Free" : "Paid"}</Badge>
            </TableCell>
            <TableCell className="text-right tabular-nums">{formatCredits(Credits.format(b.amount))}</TableCell>
            <TableCell className="text-right tabular-nums">{formatCredits(Credits.format(b.remaining - b.held))}</TableCell>
            <TableCell>{formatDate(b.addedAt)}</TableCell>
            <TableCell>{b.expiresAt ? formatDate(b.expiresAt) : "No expiry"}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
