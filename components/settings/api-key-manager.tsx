"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";
import { useToast } from "@/components/ui/toast";
import { useCurrentOrg } from "@/components/providers/current-org";
import { createApiKeyAction, revokeApiKeyAction } from "@/app/(dashboard)/settings/actions";

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function ApiKeyManager({ keys, canManage }: { keys: ApiKeyRow[]; canManage: boolean }) {
  const orgId = useCurrentOrg();
  const [created, setCreated] = useState<{ plaintext: string; name: string } | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  const toast = useToast();

  function onCreate(formData: FormData) {
    startTransition(async () => {
      formData.set("_org", orgId);
      const result = await createApiKeyAction(formData);
      if (result.ok) {
        setCreated({ plaintext: result.data.plaintext, name: result.data.name });
        setError(undefined);
      } else setError(result.fieldErrors?.name ?? result.error);
    });
  }

  function onRevoke(key: ApiKeyRow) {
    if (!window.confirm(`Revoke "${key.name}"? Runtimes using it stop working at once.`)) return;
    startTransition(async () => {
      const result = await revokeApiKeyAction({ _org: orgId, keyId: key.id });
      toast(result.ok ? { title: `Revoked ${key.name}` } : { title: "Could not revoke the key", description: result.error, variant: "error" });
    });
  }

  return (
    <div className="grid gap-4">
      {created ? (
        <div role="status" className="grid gap-2 rounded-md border border-emerald-200 bg-emerald-50 p-4 text-sm">
          <p className="font-medium">Key “{created.name}” created. Copy it now: it is shown only once.</p>
          <code data-testid="new-api-key" className="break-all rounded bg-background px-2 py-1 font-mono">
            {created.plaintext}
          </code>
          <div>
            <Button size="sm" variant="outline" onClick={() => void navigator.clipboard?.writeText(created.plaintext)}>
              Copy
            </Button>
          </div>
        </div>
      ) : null}
      {canManage ? (
        <form action={onCreate} className="flex flex-wrap items-end gap-3">
          <div className="min-w-64 flex-1">
            <Field id="api-key-name" label="New key name" error={error}>
              <Input id="api-key-name" name="name" placeholder="e.g. Production runtime" aria-invalid={Boolean(error)} required />
            </Field>
          </div>
          <Button type="submit" disabled={pending}>
            Create API key
          </Button>
        </form>
      ) : (
        <p className="text-sm text-muted-foreground">Only admins can create or revoke keys.</p>
      )}
      {keys.length === 0 ? (
        <p className="text-sm text-muted-foreground">No API keys yet. Create one for your bot runtime to call the metering API.</p>
      ) : (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Key</TableHead>
              <TableHead>Created</TableHead>
              <TableHead>Last used</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {keys.map((key) => (
              <TableRow key={key.id}>
                <TableCell>{key.name}</TableCell>
                <TableCell className="font-mono text-xs">{key.prefix}_…</TableCell>
                <TableCell>{key.createdAt}</TableCell>
                <TableCell>{key.lastUsedAt ?? "Never"}</TableCell>
                <TableCell>{key.revokedAt ? <Badge variant="danger">Revoked</Badge> : <Badge variant="free">Active</Badge>}</TableCell>
                <TableCell className="text-right">
                  {canManage && !key.revokedAt ? (
                    <Button size="sm" variant="outline" onClick={() => onRevoke(key)} disabled={pending} aria-label={`Revoke ${key.name}`}>
                      Revoke
                    </Button>
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
