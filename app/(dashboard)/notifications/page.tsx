import type { Metadata } from "next";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";
import { NotificationList } from "@/components/notifications/notification-list";
import { db } from "@/db/client";
import { requireOrgContext } from "@/lib/auth/context";
import { formatDateTime } from "@/lib/format";
import { listOutbox } from "@/lib/notifications/notify";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  const ctx = await requireOrgContext();
  const outbox = await listOutbox(db(), ctx.org.id, 20);
  const smtp = Boolean(process.env.SMTP_URL);
  return (
    <div className="grid gap-4">
      <h1 className="text-2xl font-semibold">Notifications</h1>
      <Card>
        <CardContent className="p-5">
          <NotificationList orgId={ctx.org.id} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Email {smtp ? "log" : "outbox"}</CardTitle>
          <p className="text-sm text-muted-foreground">
            {smtp ? "Emails sent through your SMTP server." : "No SMTP server is configured (SMTP_URL), so emails are kept here instead of being sent."}
          </p>
        </CardHeader>
        <CardContent>
          {outbox.length === 0 ? (
            <p className="text-sm text-muted-foreground">No emails yet.</p>
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Date</TableHead>
                  <TableHead>To</TableHead>
                  <TableHead>Subject</TableHead>
                  <TableHead>Status</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {outbox.map((mail) => (
                  <TableRow key={mail.id}>
                    <TableCell className="whitespace-nowrap">{formatDateTime(mail.createdAt)}</TableCell>
                    <TableCell>{mail.to}</TableCell>
                    <TableCell>
                      <details>
                        <summary className="cursor-pointer">{mail.subject}</summary>
                        <p className="mt-1 whitespace-pre-wrap text-xs">{mail.text}</p>
                        {mail.links.map((l) => (
                          <a key={l.url} href={l.url} className="block text-xs text-primary underline">
                            {l.label}
                          </a>
                        ))}
                      </details>
                    </TableCell>
                    <TableCell>
                      <Badge variant={mail.status === "sent" ? "free" : mail.status === "failed" ? "danger" : "outline"}>{mail.status}</Badge>
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
