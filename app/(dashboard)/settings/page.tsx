import type { Metadata } from "next";
import { eq } from "drizzle-orm";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";
import { db } from "@/db/client";
import { memberships, users } from "@/db/schema";
import { requireOrgContext } from "@/lib/auth/context";
import { listApiKeys } from "@/lib/metering/api-keys";
import { formatDateTime } from "@/lib/format";
import { ApiKeyManager } from "@/components/settings/api-key-manager";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const ctx = await requireOrgContext();
  const members = await db()
    .select({ name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organizationId, ctx.org.id))
    .orderBy(users.name);
  const keys = await listApiKeys(db(), ctx.org.id);
  return (
    <div className="grid gap-4">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <Card>
        <CardHeader>
          <CardTitle>Members of {ctx.org.name}</CardTitle>
        </CardHeader>
        <CardContent>
          {members.length === 0 ? (
            <p className="text-sm text-muted-foreground">No direct members. This sub-account is managed by its agency.</p>
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>Email</TableHead>
                  <TableHead>Role</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {members.map((m) => (
                  <TableRow key={m.email}>
                    <TableCell>{m.name}</TableCell>
                    <TableCell>{m.email}</TableCell>
                    <TableCell>
                      <Badge variant="outline">{m.role}</Badge>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>API keys</CardTitle>
          <p className="text-sm text-muted-foreground">Your bot runtime sends one as <code>Authorization: Bearer …</code> to the metering API.</p>
        </CardHeader>
        <CardContent>
          <ApiKeyManager
            canManage={ctx.role === "admin"}
            keys={keys.map((k) => ({
              id: k.id,
              name: k.name,
              prefix: k.prefix,
              createdAt: formatDateTime(k.createdAt),
              lastUsedAt: k.lastUsedAt ? formatDateTime(k.lastUsedAt) : null,
              revokedAt: k.revokedAt ? formatDateTime(k.revokedAt) : null,
            }))}
          />
        </CardContent>
      </Card>
    </div>
  );
}
