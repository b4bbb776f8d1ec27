"use client";
import Link from "next/link";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTransition } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDateTime } from "@/lib/format";
import { markReadAction } from "@/app/(dashboard)/notifications/actions";
import { fetchJson, notificationKeys, type NotificationItem } from "./query-keys";

const KIND_LABEL: Record<string, string> = {
  low_balance: "Low balance",
  out_of_credits: "Out of credits",
  recharge_succeeded: "Recharge succeeded",
  recharge_failed: "Recharge failed",
  recharge_requires_action: "Action needed",
  recharge_disabled: "Auto-recharge off",
  spending_ceiling_reached: "Spending ceiling",
  batch_expiring: "Credits expiring",
  sub_account_out_of_credits: "Sub-account out of credits",
};

export function NotificationList({ orgId }: { orgId: string }) {
  const queryClient = useQueryClient();
  const [pending, startTransition] = useTransition();
  const { data, isLoading, error } = useQuery({
    queryKey: notificationKeys.list(orgId),
    queryFn: () => fetchJson<{ unread: number; data: NotificationItem[] }>(`/api/internal/orgs/${orgId}/notifications`),
  });
  const markAll = () =>
    startTransition(async () => {
      await markReadAction({ _org: orgId });
      await queryClient.invalidateQueries({ queryKey: notificationKeys.all(orgId) });
    });
  if (isLoading) return <Skeleton className="h-40 w-full" />;
  if (error) return <p role="alert" className="text-sm text-destructive">{(error as Error).message}</p>;
  if (!data || data.data.length === 0) {
    return <p className="text-sm text-muted-foreground">No notifications. You will hear from us here when credits run low, a recharge succeeds or fails, or credits are about to expire.</p>;
  }
  return (
    <div className="grid gap-3">
      <div className="flex items-center justify-between">
        <p className="text-sm text-muted-foreground">{data.unread} unread</p>
        <Button variant="outline" size="sm" onClick={markAll} disabled={pending || data.unread === 0}>
          Mark all as read
        </Button>
      </div>
      <ul className="grid gap-2" aria-label="Notifications">
        {data.data.map((n) => (
          <li key={n.id} className={`rounded-md border p-3 ${n.read ? "border-border bg-background" : "border-indigo-200 bg-indigo-50/50"}`}>
            <div className="flex flex-wrap items-center gap-2">
              <Badge variant={n.kind.includes("fail") || n.kind.includes("out_of") ? "danger" : n.kind.includes("succeeded") ? "free" : "warning"}>{KIND_LABEL[n.kind] ?? n.kind}</Badge>
              <span className="font-medium">{n.title}</span>
              {!n.read ? <span className="sr-only">(unread)</span> : null}
              <span className="ml-auto text-xs text-muted-foreground">{formatDateTime(n.created_at)}</span>
            </div>
            <p className="mt-1 text-sm">{n.body}</p>
            {n.link ? (
              <Link href={n.link} className="mt-1 inline-block text-sm text-primary underline">
                Open
              </Link>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
