import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { SubAccountDetailView } from "@/components/sub-accounts/sub-account-detail";
import { db } from "@/db/client";
import { getSubAccount } from "@/lib/agency";
import { requireOrgContext } from "@/lib/auth/context";
import { DomainError } from "@/lib/errors";

export const metadata: Metadata = { title: "Sub-account" };
export const dynamic = "force-dynamic";

export default async function SubAccountPage({ params }: { params: Promise<{ subAccountId: string }> }) {
  const { subAccountId } = await params;
  const ctx = await requireOrgContext();
  // Not an agency admin, or not one of ITS sub-accounts → the page does not exist for them.
  const data = await getSubAccount(db(), { userId: ctx.user.id, orgId: ctx.org.id }, subAccountId).catch((e) => {
    if (e instanceof DomainError && (e.status === 403 || e.status === 404)) notFound();
    throw e;
  });
  return <SubAccountDetailView orgId={ctx.org.id} subAccountId={subAccountId} initialData={data} />;
}
