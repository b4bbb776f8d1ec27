"use client";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { switchOrganization } from "./actions";

export interface SwitcherOrg {
  id: string;
  name: string;
  kind: "owner" | "agency";
  isSubAccount: boolean;
}

export function OrgSwitcher({ current, orgs }: { current: SwitcherOrg; orgs: SwitcherOrg[] }) {
  const [pending, startTransition] = useTransition();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="outline" size="sm" aria-label={`Organization: ${current.name}. Switch organization`} disabled={pending}>
          <span className="max-w-48 truncate">{current.name}</span>
          <span className="text-xs text-muted-foreground">{current.isSubAccount ? "sub-account" : current.kind}</span>
          <span aria-hidden="true">▾</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start">
        <DropdownMenuLabel>Switch organization</DropdownMenuLabel>
        {orgs.map((org) => (
          <DropdownMenuItem
            key={org.id}
            onSelect={() => startTransition(() => switchOrganization(org.id))}
            aria-current={org.id === current.id ? "true" : undefined}
            className={org.isSubAccount ? "pl-6" : undefined}
          >
            <span className="flex-1 truncate">{org.name}</span>
            {org.id === current.id ? <span aria-hidden="true">✓</span> : null}
          </DropdownMenuItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
