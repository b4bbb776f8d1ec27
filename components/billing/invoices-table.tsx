import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatCredits, formatDate, formatMoney } from "@/lib/format";
import type { InvoiceRow } from "@/lib/billing/invoices";

export function InvoicesTable({ rows, stripeError }: { rows: InvoiceRow[]; stripeError: boolean }) {
  return (
    <div className="grid gap-2">
      {stripeError ? <p className="text-sm text-amber-800">Stripe could not be reached; showing auto-recharge invoices from our records only.</p> : null}
      {rows.length === 0 ? (
        <p className="text-sm text-muted-foreground">No invoices yet. Each pack you buy and each auto-recharge gets one.</p>
      ) : (
        <Table aria-label="Invoices">
          <TableHeader>
            <TableRow>
              <TableHead>Date</TableHead>
              <TableHead>For</TableHead>
              <TableHead className="text-right">Credits</TableHead>
              <TableHead className="text-right">Amount</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Invoice</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((row) => (
              <TableRow key={row.id}>
                <TableCell className="whitespace-nowrap">{formatDate(row.date)}</TableCell>
                <TableCell>{row.what}</TableCell>
                <TableCell className="tabular text-right">{row.credits ? formatCredits(row.credits) : "—"}</TableCell>
                <TableCell className="tabular text-right">{formatMoney(row.amountMinor, row.currency)}</TableCell>
                <TableCell>
                  <Badge variant={row.status === "paid" ? "free" : row.status === "open" ? "warning" : "outline"}>{row.status}</Badge>
                </TableCell>
                <TableCell>
                  {row.pdfUrl ? (
                    <a className="text-primary underline" href={row.pdfUrl} aria-label={`Invoice PDF ${row.number ?? row.id}`}>
                      PDF
                    </a>
                  ) : null}
                  {row.hostedUrl ? (
                    <a className="ml-2 text-primary underline" href={row.hostedUrl}>
                      View
                    </a>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </div>
  );
}
