import type { Metadata } from "next";
import Link from "next/link";
import { ActiveCreditsView } from "@/components/credit/active-credits";
import { requireOrgContext } from "@/lib/auth/context";

export const metadata: Metadata = { title: "Active Credits" };

/** /credit/active on a direct load: the same table as the modal, as a page. */
export default async function ActiveCreditsPage() {
  const ctx = await requireOrgContext();
  return (
    <div className="grid gap-4">
      <div>
        <Link href="/credit" className="text-sm text-muted-foreground hover:underline">
          ← My Credit
        </Link>
        <h1 className="mt-1 text-2xl font-semibold">Active Credits</h1>
        <p className="text-sm text-muted-foreground">Each row is one batch of credits, with its own balance and expiry.</p>
      </div>
      <ActiveCreditsView orgId={ctx.org.id} />
    </div>
  );
}
