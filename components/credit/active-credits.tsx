"use client";
import { useId, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatCredits, formatDate } from "@/lib/format";
import type { ActiveBatchRow } from "@/lib/reports/my-credit";
import { cn } from "@/lib/utils";
import { fetchJson } from "./fetch-json";
import { creditKeys, creditUrls } from "./query-keys";
import { QueryError } from "./query-error";

const STATUS_LABEL: Record<ActiveBatchRow["status"], string> = { active: "Active", expired: "Expired", empty: "Used up", voided: "Voided", scheduled: "Not yet added" };

/** The Active Credits table (seed 003's columns), shared by the modal and the full page. */
export function ActiveCreditsView({ orgId }: { orgId: string }) {
  const [showInactive, setShowInactive] = useState(false);
  const toggleId = useId();
  const q = useQuery({
    queryKey: creditKeys.batches(orgId),
    queryFn: ({ signal }) => fetchJson<{ asOf: string; active: ActiveBatchRow[]; inactive: ActiveBatchRow[] }>(creditUrls.batches(orgId), signal),
  });
  if (q.isPending)
    return (
      <div className="grid gap-2" aria-busy="true" aria-label="Loading active credits">
        <Skeleton className="h-8" />
        <Skeleton className="h-8" />
        <Skeleton className="h-8" />
      </div>
    );
  if (q.isError) return <QueryError error={q.error} onRetry={() => void q.refetch()} what="active credits" />;
  const rows = showInactive ? [...q.data.active, ...q.data.inactive] : q.data.active;

  return (
    <div className="grid gap-3">
      <div className="flex items-center gap-2 text-sm">
        <input
          id={toggleId}
          type="checkbox"
          className="h-4 w-4 accent-[var(--color-primary)]"
          checked={showInactive}
          onChange={(e) => setShowInactive(e.target.checked)}
          aria-controls="active-credits-table"
        />
        <label htmlFor={toggleId}>Show expired and empty batches ({q.data.inactive.length})</label>
      </div>
      {rows.length === 0 ? (
        <p className="rounded-md border border-dashed border-border p-4 text-sm text-muted-foreground">
          No active credits. Buy a pack or top up on Billing; batches appear here as soon as they are added.
        </p>
      ) : (
        <Table id="active-credits-table" aria-label="Active credit batches">
          <TableCaption>Active batches are listed in the order they are spent: Free before Paid, soonest expiry first, then oldest.</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Credit Allocated</TableHead>
              <TableHead>Added Date</TableHead>
              <TableHead>Remaining Balance</TableHead>
              <TableHead>Credit Type</TableHead>
              <TableHead>Expiry Date</TableHead>
              <TableHead>Source</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((b) => (
              <TableRow
                key={b.id}
                data-status={b.status}
                className={cn(b.status !== "active" && "text-muted-foreground", b.expiresInDays !== null && "bg-amber-50 hover:bg-amber-100")}
              >
                <TableCell className="tabular-nums">{formatCredits(b.amount)}</TableCell>
                <TableCell>{formatDate(b.addedAt)}</TableCell>
                <TableCell className="tabular-nums">
                  {formatCredits(b.remaining)}
                  {b.held !== "0" ? <span className="ml-1 text-xs text-muted-foreground">({formatCredits(b.held)} held)</span> : null}
                </TableCell>
                <TableCell>
                  <Badge variant={b.type === "free" ? "free" : "paid"}>{b.type === "free" ? "Free" : "Paid"}</Badge>
                </TableCell>
                <TableCell>
                  {b.expiresAt ? formatDate(b.expiresAt) : "No expiry"}
                  {b.expiresInDays !== null ? (
                    <Badge variant="warning" className="ml-2">
                      {b.expiresInDays === 0 ? "expires today" : `expires in ${b.expiresInDays} ${b.expiresInDays === 1 ? "day" : "days"}`}
                    </Badge>
                  ) : null}
                  {b.status !== "active" ? (
                    <Badge variant={b.status === "expired" || b.status === "voided" ? "danger" : "outline"} className="ml-2">
                      {STATUS_LABEL[b.status]}
                    </Badge>
                  ) : null}
                </TableCell>
                <TableCell>
                  {b.sourceLabel}
                  {b.position === 1 ? (
                    <Badge variant="outline" className="ml-2">
                      Spent next
                    </Badge>
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
