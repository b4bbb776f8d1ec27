import type { OrgContext } from "@/lib/auth/context";

export interface NavItem {
  href: string;
  label: string;
  visible?: (ctx: OrgContext) => boolean;
}

/** The side navigation: SPEC §11's pages, listed as they exist. Order is the order owners use them. */
export const NAV_ITEMS: NavItem[] = [
  { href: "/credit", label: "My Credit" },
  { href: "/usage", label: "Usage & Reports" },
  { href: "/calculator", label: "Calculator" },
  { href: "/sub-accounts", label: "Sub-accounts", visible: (ctx) => ctx.org.kind === "agency" && ctx.role === "admin" },
  { href: "/bots", label: "Bots" },
  { href: "/billing", label: "Billing" },
  { href: "/notifications", label: "Notifications" },
  { href: "/settings", label: "Settings" },
  { href: "/admin/rate-card", label: "Rate card", visible: (ctx) => ctx.user.isPlatformAdmin },
  { href: "/admin/settings", label: "Platform settings", visible: (ctx) => ctx.user.isPlatformAdmin },
];

export function visibleNavItems(ctx: OrgContext): NavItem[] {
  return NAV_ITEMS.filter((item) => !item.visible || item.visible(ctx));
}
