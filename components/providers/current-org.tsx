"use client";
import { createContext, useContext } from "react";

/**
 * The organization the dashboard was rendered for. Server actions must act there (orgAction's `_org`),
 * not in the switcher cookie's org: with two tabs on two orgs, the cookie names whichever was opened last.
 */
const CurrentOrgContext = createContext<string | null>(null);

export function CurrentOrgProvider({ orgId, children }: { orgId: string; children: React.ReactNode }) {
  return <CurrentOrgContext.Provider value={orgId}>{children}</CurrentOrgContext.Provider>;
}

/** The page's organization id; every dashboard component sits under the layout's provider. */
export function useCurrentOrg(): string {
  const orgId = useContext(CurrentOrgContext);
  if (!orgId) throw new Error("useCurrentOrg outside the dashboard layout");
  return orgId;
}
