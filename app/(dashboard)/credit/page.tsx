import type { Metadata } from "next";
import Link from "next/link";
import { MyCreditView } from "@/components/credit/my-credit";
import { Button } from "@/components/ui/button";
import { requireOrgContext } from "@/lib/auth/context";

export const metadata: Metadata = { title: "My Credit" };

export default async function MyCreditPage() {
  const ctx = await requireOrgContext();
  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">My Credit</h1>
          <p className="text-sm text-muted-foreground">{ctx.org.name}</p>
        </div>
        <Button asChild variant="outline">
          <Link href="/credit/active" scroll={false}>
            View active credits
          </Link>
        </Button>
      </div>
      <MyCreditView orgId={ctx.org.id} />
    </div>
  );
}
