"use client";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { useCurrentOrg } from "@/components/providers/current-org";
import { useToast } from "@/components/ui/toast";
import { setEndUserPackStatusAction, setEndUserPlanStatusAction } from "@/app/(dashboard)/bots/[botId]/actions";

/** Archive (stop selling) or restore a pack or plan; existing purchases and subscriptions are untouched. */
export function OfferStatusButton({ kind, botId, offerId, name, status }: { kind: "pack" | "plan"; botId: string; offerId: string; name: string; status: "active" | "archived" }) {
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const orgId = useCurrentOrg();
  const next = status === "active" ? "archived" : "active";
  const label = status === "active" ? "Archive" : "Restore";
  return (
    <Button
      size="sm"
      variant="outline"
      aria-label={`${label} ${name}`}
      disabled={pending}
      onClick={() =>
        startTransition(async () => {
          const result =
            kind === "pack"
              ? await setEndUserPackStatusAction({ _org: orgId, botId, packId: offerId, status: next })
              : await setEndUserPlanStatusAction({ _org: orgId, botId, planId: offerId, status: next });
          toast(result.ok ? { title: `${name} ${next === "archived" ? "archived" : "restored"}` } : { title: result.error });
        })
      }
    >
      {label}
    </Button>
  );
}
