import Link from "next/link";
import type { OrgContext } from "@/lib/auth/context";
import type { AccessibleOrg } from "@/lib/auth/org-access";
import { visibleNavItems } from "./nav-items";
import { OrgSwitcher, type SwitcherOrg } from "./org-switcher";
import { SideNav } from "./side-nav";
import { UserMenu } from "./user-menu";
import { NotificationBell } from "@/components/notifications/bell";

function toSwitcherOrg(org: AccessibleOrg): SwitcherOrg {
  return { id: org.id, name: org.name, kind: org.kind, isSubAccount: Boolean(org.parentId) };
}

export function AppShell({ ctx, orgs, banner, children }: { ctx: OrgContext; orgs: AccessibleOrg[]; banner?: React.ReactNode; children: React.ReactNode }) {
  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-background focus:px-3 focus:py-2">
        Skip to content
      </a>
      {banner}
      <header className="sticky top-0 z-30 flex h-14 items-center gap-3 border-b border-border bg-background px-4">
        <Link href="/credit" className="font-semibold">
          Creditdesk
        </Link>
        <OrgSwitcher current={toSwitcherOrg(ctx.org)} orgs={orgs.map(toSwitcherOrg)} />
        <div className="ml-auto flex items-center gap-2">
          <NotificationBell orgId={ctx.org.id} />
          <UserMenu name={ctx.user.name} email={ctx.user.email} role={ctx.role} />
        </div>
      </header>
      <div className="mx-auto flex max-w-7xl flex-col gap-4 p-4 md:flex-row md:gap-6">
        <aside className="md:w-52 md:shrink-0">
          <SideNav items={visibleNavItems(ctx).map(({ href, label }) => ({ href, label }))} />
        </aside>
        <main id="main" className="min-w-0 flex-1">
          {children}
        </main>
      </div>
    </div>
  );
}
