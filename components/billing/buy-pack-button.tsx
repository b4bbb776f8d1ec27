"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { buyPlatformPackAction } from "@/app/(dashboard)/billing/actions";
import { useCurrentOrg } from "@/components/providers/current-org";

/** Starts Checkout for a platform pack and goes to Stripe's hosted page, buying for the org the page shows. */
export function BuyPackButton({ packId, packName, disabled }: { packId: string; packName: string; disabled?: boolean }) {
  const orgId = useCurrentOrg();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="grid gap-1">
      <Button
        aria-label={`Buy ${packName}`}
        disabled={disabled || pending}
        onClick={() =>
          startTransition(async () => {
            setError(null);
            const result = await buyPlatformPackAction({ _org: orgId, packId });
            if (result.ok) window.location.assign(result.data.url);
            else setError(result.error);
          })
        }
      >
        {pending ? "Opening checkout…" : "Buy"}
      </Button>
      {error ? (
        <p role="alert" className="text-xs text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}
