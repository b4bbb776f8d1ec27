import type { Metadata } from "next";
import { requireOrgContext } from "@/lib/auth/context";

export const metadata: Metadata = { title: "My Credit" };

export default async function MyCreditPage() {
  const ctx = await requireOrgContext();
  return (
    <div className="grid gap-4">
      <h1 className="text-2xl font-semibold">My Credit</h1>
      <p className="text-sm text-muted-foreground">{ctx.org.name}</p>
    </div>
  );
}
