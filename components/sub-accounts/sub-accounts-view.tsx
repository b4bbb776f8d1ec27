"use client";
import Link from "next/link";
import { useState, useTransition } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { fetchJson } from "@/components/credit/fetch-json";
import { QueryError } from "@/components/credit/query-error";
import { formatCredits, formatDateTime } from "@/lib/format";
import type { SubAccountList } from "@/lib/agency/list-sub-accounts";
import { createSubAccountAction } from "@/app/(dashboard)/sub-accounts/actions";
import { subAccountKeys, subAccountUrls } from "./query-keys";
import { SubAccountStatus } from "./status-badges";
import { AssignDialog, ReclaimDialog } from "./transfer-dialogs";

function CreateSubAccountForm({ orgId }: { orgId: string }) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const qc = useQueryClient();
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      action={(formData) =>
        startTransition(async () => {
          formData.set("_org", orgId);
          const result = await createSubAccountAction(formData);
          if (result.ok) {
            setErrors({});
            toast({ title: `Sub-account “${result.data.name}” created` });
            await qc.invalidateQueries({ queryKey: subAccountKeys.all(orgId) });
          } else setErrors(result.fieldErrors ?? { name: result.error });
        })
      }
    >
      <div className="min-w-56 flex-1">
        <Field id="sub-account-name" label="Sub-account name" error={errors.name}>
          <Input id="sub-account-name" name="name" required maxLength={80} aria-invalid={Boolean(errors.name)} />
        </Field>
      </div>
      <Button type="submit" disabled={pending}>
        Create sub-account
      </Button>
    </form>
  );
}

export function SubAccountsView({ orgId, initialData }: { orgId: string; initialData: SubAccountList }) {
  const q = useQuery({
    queryKey: subAccountKeys.list(orgId),
    queryFn: ({ signal }) => fetchJson<SubAccountList>(subAccountUrls.list(orgId), signal),
    initialData,
  });
  if (q.isPending) return <Skeleton className="h-40" />;
  if (q.isError) return <QueryError error={q.error} onRetry={() => void q.refetch()} what="your sub-accounts" />;
  const d = q.data;
  return (
    <div className="grid gap-4">
      <Card>
        <CardContent className="flex flex-wrap items-center justify-between gap-4 p-5">
          <div>
            <p className="text-sm text-muted-foreground">Available in {d.agency.name}&apos;s pool to assign</p>
            <p className="text-2xl font-semibold tabular-nums" data-testid="agency-available">
              {formatCredits(d.agency.available)}
            </p>
          </div>
          <p className="max-w-md text-sm text-muted-foreground">
            Status: <strong>Out of credits</strong> at 0 available (its bots are refused); <strong>Low</strong> below 5 credits or below 10% of the
            credits assigned to it that are still live.
          </p>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>New sub-account</CardTitle>
        </CardHeader>
        <CardContent>
          <CreateSubAccountForm orgId={orgId} />
        </CardContent>
      </Card>
      <Card>
        <CardContent className="p-0">
          {d.subAccounts.length === 0 ? (
            <p className="p-5 text-sm text-muted-foreground">No sub-accounts yet. Create one for each client, then assign it credits.</p>
          ) : (
            <Table aria-label="Sub-accounts">
              <TableHeader>
                <TableRow>
                  <TableHead>Sub-account</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead className="text-right">Balance</TableHead>
                  <TableHead className="text-right">Usage this month</TableHead>
                  <TableHead>Last activity</TableHead>
                  <TableHead>
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {d.subAccounts.map((s) => (
                  <TableRow key={s.id} data-testid={`sub-account-${s.id}`}>
                    <TableCell>
                      <Link className="font-medium underline-offset-4 hover:underline" href={`/sub-accounts/${s.id}`}>
                        {s.name}
                      </Link>
                    </TableCell>
                    <TableCell>
                      <SubAccountStatus status={s.status} creditStatus={s.creditStatus} />
                    </TableCell>
                    <TableCell className="text-right tabular-nums" data-testid="sub-balance">
                      {formatCredits(s.balance)}
                    </TableCell>
                    <TableCell className="text-right tabular-nums" data-testid="sub-month-usage">
                      {formatCredits(s.monthUsage)}
                    </TableCell>
                    <TableCell className="text-sm text-muted-foreground">{s.lastActivityAt ? formatDateTime(s.lastActivityAt) : "No activity yet"}</TableCell>
                    <TableCell>
                      <div className="flex justify-end gap-2">
                        <AssignDialog orgId={orgId} sub={s} agencyAvailable={d.agency.available} disabled={s.status === "suspended"} />
                        <ReclaimDialog orgId={orgId} sub={s} reclaimable={s.reclaimable} />
                      </div>
                    </TableCell>
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
