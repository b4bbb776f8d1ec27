"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { fetchJson, notificationKeys } from "./query-keys";

/** Header bell with the unread count; refreshes every minute so hourly alerts show up. */
export function NotificationBell({ orgId }: { orgId: string }) {
  const { data } = useQuery({
    queryKey: notificationKeys.summary(orgId),
    queryFn: () => fetchJson<{ unread: number }>(`/api/internal/orgs/${orgId}/notifications?summary=1`),
    refetchInterval: 60_000,
  });
  const unread = data?.unread ?? 0;
  return (
    <Link
      href="/notifications"
      aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
      className="relative inline-flex h-9 w-9 items-center justify-center rounded-md hover:bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
    >
      <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
        <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      </svg>
      {unread > 0 ? (
        <span data-testid="unread-count" className="absolute -right-0.5 -top-0.5 min-w-4 rounded-full bg-destructive px-1 text-center text-[10px] font-semibold leading-4 text-white">
          {unread > 99 ? "99+" : unread}
        </span>
      ) : null}
    </Link>
  );
}
