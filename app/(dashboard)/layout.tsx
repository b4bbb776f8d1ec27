import { redirect } from "next/navigation";
import { AppShell } from "@/components/shell/app-shell";
import { SandboxBanner } from "@/components/billing/sandbox-banner";
import { CurrentOrgProvider } from "@/components/providers/current-org";
import { Providers } from "@/components/providers/query-provider";
import { db } from "@/db/client";
import { getOrgContext, getSessionUser } from "@/lib/auth/context";
import { listAccessibleOrgs } from "@/lib/auth/org-access";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const ctx = await getOrgContext();
  if (!ctx) {
    if (!(await getSessionUser())) redirect("/login");
    return (
      <main className="mx-auto max-w-lg p-8">
        <h1 className="text-lg font-semibold">No organization yet</h1>
        <p className="mt-2 text-sm text-muted-foreground">Your account is not a member of any organization. Ask an admin to invite you.</p>
      </main>
    );
  }
  const orgs = await listAccessibleOrgs(db(), ctx.user.id);
  return (
    <Providers>
      <CurrentOrgProvider orgId={ctx.org.id}>
        <AppShell ctx={ctx} orgs={orgs} banner={<SandboxBanner />}>
          {children}
        </AppShell>
      </CurrentOrgProvider>
    </Providers>
  );
}
