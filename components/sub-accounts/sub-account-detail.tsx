"use client";
import Link from "next/link";
import { useState, useTransition } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Select } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import { fetchJson } from "@/components/credit/fetch-json";
import { QueryError } from "@/components/credit/query-error";
import { formatCredits, formatDate, formatDateTime } from "@/lib/format";
import type { SubAccountDetail } from "@/lib/agency/get-sub-account";
import { inviteUserAction, renameSubAccountAction, setSubAccountStatusAction } from "@/app/(dashboard)/sub-accounts/actions";
import { subAccountKeys, subAccountUrls } from "./query-keys";
import { SubAccountStatus } from "./status-badges";
import { AssignDialog, ReclaimDialog } from "./transfer-dialogs";

const ACTION_LABEL: Record<string, string> = {
  "sub_account.created": "Sub-account created",
  "sub_account.renamed": "Renamed",
  "sub_account.suspended": "Suspended",
  "sub_account.reactivated": "Reactivated",
  "sub_account.user_invited": "User invited",
  "credits.assigned": "Credits assigned",
  "credits.reclaimed": "Credits reclaimed",
};

const SOURCE_LABEL: Record<string, string> = { assignment: "Assignment", pack: "Pack", pack_bonus: "Pack bonus", promo: "Promo", signup_bonus: "Signup bonus" };

function describe(a: SubAccountDetail["audit"][number]): string {
  const d = a.data as Record<string, string | undefined>;
  if (a.action.startsWith("credits.")) return `${formatCredits(d.amount ?? "0")} credits`;
  if (a.action === "sub_account.renamed") return `${d.from} → ${d.to}`;
  if (a.action === "sub_account.user_invited") return `${d.email} (${d.role})`;
  return "";
}

function useRefresh(orgId: string) {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: subAccountKeys.all(orgId) });
}

function RenameForm({ orgId, sub }: { orgId: string; sub: { id: string; name: string } }) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const refresh = useRefresh(orgId);
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      action={(formData) =>
        startTransition(async () => {
          formData.set("subAccountId", sub.id);
          formData.set("_org", orgId);
          const result = await renameSubAccountAction(formData);
          if (result.ok) {
            setErrors({});
            toast({ title: `Renamed to “${result.data.name}”` });
            await refresh();
          } else setErrors(result.fieldErrors ?? { name: result.error });
        })
      }
    >
      <div className="min-w-56 flex-1">
        <Field id="rename" label="Name" error={errors.name}>
          <Input id="rename" name="name" defaultValue={sub.name} key={sub.name} required maxLength={80} aria-invalid={Boolean(errors.name)} />
        </Field>
      </div>
      <Button type="submit" variant="outline" disabled={pending}>
        Rename
      </Button>
    </form>
  );
}

function SuspendButton({ orgId, sub }: { orgId: string; sub: { id: string; name: string; status: "active" | "suspended" } }) {
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const refresh = useRefresh(orgId);
  const next = sub.status === "active" ? "suspended" : "active";
  return (
    <Button
      variant={next === "suspended" ? "destructive" : "outline"}
      disabled={pending}
      onClick={() =>
        startTransition(async () => {
          if (next === "suspended" && !window.confirm(`Suspend ${sub.name}? Its bots stop answering, no credits can be assigned to it and its visitors' plans stop renewing until you reactivate it.`)) return;
          const result = await setSubAccountStatusAction({ _org: orgId, subAccountId: sub.id, status: next });
          if (result.ok) {
            toast({ title: next === "suspended" ? `${sub.name} suspended` : `${sub.name} reactivated`, description: result.data.billingWarning ?? undefined });
            await refresh();
          } else toast({ title: result.error, variant: "error" });
        })
      }
    >
      {next === "suspended" ? "Suspend" : "Reactivate"}
    </Button>
  );
}

function InviteForm({ orgId, sub }: { orgId: string; sub: { id: string; name: string } }) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const refresh = useRefresh(orgId);
  return (
    <div className="grid gap-3">
      <form
        className="flex flex-wrap items-end gap-3"
        action={(formData) =>
          startTransition(async () => {
            formData.set("subAccountId", sub.id);
            formData.set("_org", orgId);
            const result = await inviteUserAction(formData);
            if (result.ok) {
              setErrors({});
              setCreated(result.data.temporaryPassword ? { email: result.data.email, password: result.data.temporaryPassword } : null);
              toast({ title: `${result.data.email} can now sign in to ${sub.name}` });
              await refresh();
            } else setErrors(result.fieldErrors ?? { email: result.error });
          })
        }
      >
        <div className="min-w-56 flex-1">
          <Field id="invite-email" label="Email" error={errors.email}>
            <Input id="invite-email" name="email" type="email" required aria-invalid={Boolean(errors.email)} />
          </Field>
        </div>
        <div className="w-44">
          <Field id="invite-name" label="Name (optional)" error={errors.name}>
            <Input id="invite-name" name="name" maxLength={80} />
          </Field>
        </div>
        <div className="w-36">
          <Field id="invite-role" label="Role" error={errors.role}>
            <Select id="invite-role" name="role" defaultValue="admin">
              <option value="admin">Admin</option>
              <option value="member">Member</option>
            </Select>
          </Field>
        </div>
        <Button type="submit" disabled={pending}>
          Invite user
        </Button>
      </form>
      {created ? (
        <div role="status" className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
          A login was created for <strong>{created.email}</strong>. Temporary password (shown once, give it to them yourself):{" "}
          <code className="rounded bg-white px-1 font-mono" data-testid="temporary-password">
            {created.password}
          </code>
        </div>
      ) : null}
      <p className="text-xs text-muted-foreground">
        They see only {sub.name}: its balance and usage, never your pool or your other sub-accounts, and they cannot assign credits.
      </p>
    </div>
  );
}

export function SubAccountDetailView({ orgId, subAccountId, initialData }: { orgId: string; subAccountId: string; initialData: SubAccountDetail }) {
  const q = useQuery({
    queryKey: subAccountKeys.detail(orgId, subAccountId),
    queryFn: ({ signal }) => fetchJson<SubAccountDetail>(subAccountUrls.detail(orgId, subAccountId), signal),
    initialData,
  });
  if (q.isPending) return <Skeleton className="h-40" />;
  if (q.isError) return <QueryError error={q.error} onRetry={() => void q.refetch()} what="this sub-account" />;
  const { subAccount: s, agency } = q.data;
  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <p className="text-sm">
            <Link href="/sub-accounts" className="text-muted-foreground underline-offset-4 hover:underline">
              Sub-accounts
            </Link>
          </p>
          <h1 className="flex items-center gap-3 text-2xl font-semibold">
            {s.name} <SubAccountStatus status={s.status} creditStatus={s.creditStatus} />
          </h1>
        </div>
        <div className="flex gap-2">
          <AssignDialog orgId={orgId} sub={s} agencyAvailable={agency.available} disabled={s.status === "suspended"} />
          <ReclaimDialog orgId={orgId} sub={s} reclaimable={s.reclaimable} />
        </div>
      </div>
      <Card>
        <CardContent className="p-5">
          <dl className="grid gap-4 sm:grid-cols-4">
            {[
              ["Balance", s.balance, "detail-balance"],
              ["Available", s.available, "detail-available"],
              ["Unspent assigned (reclaimable)", s.reclaimable, "detail-reclaimable"],
              ["Usage this month", s.monthUsage, "detail-month-usage"],
            ].map(([label, value, testId]) => (
              <div key={testId}>
                <dt className="text-sm text-muted-foreground">{label}</dt>
                <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid={testId}>
                  {formatCredits(value)}
                </dd>
              </div>
            ))}
          </dl>
          <p className="mt-3 text-sm text-muted-foreground">
            Last activity: {s.lastActivityAt ? formatDateTime(s.lastActivityAt) : "none yet"} · Your pool: {formatCredits(agency.available)} available
          </p>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Active Credits</CardTitle>
        </CardHeader>
        <CardContent className="p-0">
          {q.data.batches.length === 0 ? (
            <p className="p-5 text-sm text-muted-foreground">No live credits.</p>
          ) : (
            <Table aria-label="Active Credits">
              <TableHeader>
                <TableRow>
                  <TableHead className="text-right">Credit Allocated</TableHead>
                  <TableHead>Added Date</TableHead>
                  <TableHead className="text-right">Remaining Balance</TableHead>
                  <TableHead>Credit Type</TableHead>
                  <TableHead>Expiry Date</TableHead>
                  <TableHead>Source</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {q.data.batches.map((b) => (
                  <TableRow key={b.id}>
                    <TableCell className="text-right tabular-nums">{formatCredits(b.amount)}</TableCell>
                    <TableCell>{formatDate(b.addedAt)}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatCredits(b.remaining)}</TableCell>
                    <TableCell>
                      <Badge variant={b.type}>{b.type === "free" ? "Free" : "Paid"}</Badge>
                    </TableCell>
                    <TableCell>{b.expiresAt ? formatDate(b.expiresAt) : "No expiry"}</TableCell>
                    <TableCell>{SOURCE_LABEL[b.source] ?? b.source}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Assignments and reclaims</CardTitle>
          </CardHeader>
          <CardContent>
            {q.data.transfers.length === 0 ? (
              <p className="text-sm text-muted-foreground">None yet.</p>
            ) : (
              <ul aria-label="Assignments and reclaims" className="grid gap-2 text-sm">
                {q.data.transfers.map((t) => (
                  <li key={t.transferId} className="flex justify-between gap-3">
                    <span>{t.direction === "assigned" ? "Assigned" : "Reclaimed"}</span>
                    <span className="tabular-nums">
                      {t.direction === "assigned" ? "+" : "−"}
                      {formatCredits(t.amount)}
                    </span>
                    <span className="text-muted-foreground">{formatDateTime(t.at)}</span>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Audit log</CardTitle>
          </CardHeader>
          <CardContent>
            <ul aria-label="Audit log" className="grid gap-2 text-sm">
              {q.data.audit.map((a) => (
                <li key={a.id} className="flex flex-wrap justify-between gap-2">
                  <span>
                    {ACTION_LABEL[a.action] ?? a.action} <span className="text-muted-foreground">{describe(a)}</span>
                  </span>
                  <span className="text-muted-foreground">
                    {a.actor ?? "system"} · {formatDateTime(a.at)}
                  </span>
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Users of {s.name}</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4">
          {q.data.members.length > 0 ? (
            <ul aria-label="Users" className="grid gap-1 text-sm">
              {q.data.members.map((m) => (
                <li key={m.userId}>
                  {m.email} <span className="text-muted-foreground">({m.role})</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-sm text-muted-foreground">No users yet.</p>
          )}
          <InviteForm orgId={orgId} sub={s} />
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Settings</CardTitle>
        </CardHeader>
        <CardContent className="flex flex-wrap items-end justify-between gap-4">
          <RenameForm orgId={orgId} sub={s} />
          <SuspendButton orgId={orgId} sub={s} />
        </CardContent>
      </Card>
    </div>
  );
}
