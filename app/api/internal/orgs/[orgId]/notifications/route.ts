import { NextResponse } from "next/server";
import { db } from "@/db/client";
import { withOrgRoute } from "@/lib/api/with-session";
import { listNotifications, unreadCount } from "@/lib/notifications/notify";

/** The notification centre's data: the latest notifications and the unread count (for the bell). */
export const GET = withOrgRoute(async (request, ctx) => {
  const summaryOnly = request.nextUrl.searchParams.get("summary") === "1";
  const unread = await unreadCount(db(), ctx.org.id);
  if (summaryOnly) return NextResponse.json({ unread });
  const items = await listNotifications(db(), ctx.org.id);
  return NextResponse.json({
    unread,
    data: items.map((n) => ({ id: n.id, kind: n.kind, title: n.title, body: n.body, link: n.link, created_at: n.createdAt.toISOString(), read: n.readAt !== null })),
  });
});
