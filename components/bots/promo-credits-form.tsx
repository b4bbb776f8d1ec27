"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useCurrentOrg } from "@/components/providers/current-org";
import { useToast } from "@/components/ui/toast";
import { givePromoCreditsAction } from "@/app/(dashboard)/bots/[botId]/actions";

/** "Give credits" on an end-user row: a free promo batch with an expiry, in the end user's own credits (never the owner cap). */
export function PromoCreditsForm({ botId, endUserId, endUserLabel }: { botId: string; endUserId: string; endUserLabel: string }) {
  const [open, setOpen] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const orgId = useCurrentOrg();
  if (!open) {
    return (
      <Button size="sm" variant="outline" aria-label={`Give credits to ${endUserLabel}`} onClick={() => setOpen(true)}>
        Give credits
      </Button>
    );
  }
  const id = (name: string) => `promo-${name}-${endUserId}`;
  return (
    <form
      aria-label={`Give credits to ${endUserLabel}`}
      className="flex flex-wrap items-end gap-2"
      action={(formData) =>
        startTransition(async () => {
          formData.set("_org", orgId);
          const result = await givePromoCreditsAction(formData);
          if (result.ok) {
            setErrors({});
            setOpen(false);
            setRequestId(crypto.randomUUID());
            toast({ title: `Credits given to ${endUserLabel}` });
          } else setErrors(result.fieldErrors ?? { amount: result.error });
        })
      }
    >
      <input type="hidden" name="botId" value={botId} />
      <input type="hidden" name="endUserId" value={endUserId} />
      <input type="hidden" name="requestId" value={requestId} />
      <div className="w-28">
        <Field id={id("amount")} label="Credits" error={errors.amount}>
          <Input id={id("amount")} name="amount" inputMode="decimal" placeholder="50" aria-invalid={Boolean(errors.amount)} />
        </Field>
      </div>
      <div className="w-32">
        <Field id={id("days")} label="Expires in (days)" error={errors.expiresInDays}>
          <Input id={id("days")} name="expiresInDays" inputMode="numeric" defaultValue="30" aria-invalid={Boolean(errors.expiresInDays)} />
        </Field>
      </div>
      <div className="w-40">
        <Field id={id("note")} label="Note (optional)" error={errors.note}>
          <Input id={id("note")} name="note" placeholder="Giveaway" />
        </Field>
      </div>
      <Button type="submit" size="sm" disabled={pending}>
        Give
      </Button>
      <Button type="button" size="sm" variant="ghost" onClick={() => setOpen(false)}>
        Cancel
      </Button>
    </form>
  );
}
