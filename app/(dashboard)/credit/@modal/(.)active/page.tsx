import { ActiveCreditsModal } from "@/components/credit/active-credits-modal";
import { requireOrgContext } from "@/lib/auth/context";

export default async function ActiveCreditsInterceptedPage() {
  const ctx = await requireOrgContext();
  return <ActiveCreditsModal orgId={ctx.org.id} />;
}
