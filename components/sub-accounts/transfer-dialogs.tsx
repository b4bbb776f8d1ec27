"use client";
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input, Select } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useActionForm } from "@/components/ui/use-action-form";
import { formatCredits } from "@/lib/format";
import { assignCreditsAction, reclaimCreditsAction } from "@/app/(dashboard)/sub-accounts/actions";
import { subAccountKeys } from "./query-keys";

interface SubRef {
  id: string;
  name: string;
}

/** Assign credits from the agency's pool: amount, type (as the source, or chosen), optional earlier expiry. */
export function AssignDialog({ orgId, sub, agencyAvailable, disabled }: { orgId: string; sub: SubRef; agencyAvailable: string; disabled?: boolean }) {
  const [open, setOpen] = useState(false);
  const qc = useQueryClient();
  const { errors, pending, onSubmit, clearErrors } = useActionForm(assignCreditsAction, {
    success: (data) => `Assigned ${formatCredits(data.amount)} credits to ${sub.name}`,
    onSuccess: () => {
      setOpen(false);
      void qc.invalidateQueries({ queryKey: subAccountKeys.all(orgId) });
    },
  });
  const id = `assign-${sub.id}`;
  return (
    <Dialog open={open} onOpenChange={(o) => (setOpen(o), clearErrors())}>
      <DialogTrigger asChild>
        <Button size="sm" disabled={disabled} aria-label={`Assign credits to ${sub.name}`}>
          Assign
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Assign credits to {sub.name}</DialogTitle>
          <DialogDescription>
            From your pool ({formatCredits(agencyAvailable)} available), spent in your pool&apos;s order: Free before Paid, soonest expiry first. Each
            assigned batch keeps its source&apos;s expiry unless you choose an earlier one.
          </DialogDescription>
        </DialogHeader>
        <form className="grid gap-3" onSubmit={onSubmit}>
          <input type="hidden" name="subAccountId" value={sub.id} />
          <Field id={`${id}-amount`} label="Credits" error={errors.amount ?? errors.form}>
            <Input id={`${id}-amount`} name="amount" inputMode="decimal" required autoFocus aria-invalid={Boolean(errors.amount)} />
          </Field>
          <Field id={`${id}-type`} label="Credit type" error={errors.type}>
            <Select id={`${id}-type`} name="type" defaultValue="source">
              <option value="source">Keep the source&apos;s type (Free stays Free, Paid stays Paid)</option>
              <option value="free">Free</option>
              <option value="paid">Paid</option>
            </Select>
          </Field>
          <Field id={`${id}-expires`} label="Expiry date (optional)" error={errors.expiresOn ?? errors.expiresAt} hint="Never later than the source batch's expiry; empty = keep it.">
            <Input id={`${id}-expires`} name="expiresOn" type="date" aria-invalid={Boolean(errors.expiresOn)} />
          </Field>
          <Button type="submit" disabled={pending}>
            {pending ? "Assigning…" : "Assign credits"}
          </Button>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** Take back unspent assigned credits (default: all of them). */
export function ReclaimDialog({ orgId, sub, reclaimable }: { orgId: string; sub: SubRef; reclaimable: string }) {
  const [open, setOpen] = useState(false);
  const qc = useQueryClient();
  const { errors, pending, onSubmit, clearErrors } = useActionForm(reclaimCreditsAction, {
    success: (data) => `Reclaimed ${formatCredits(data.amount)} credits from ${sub.name}`,
    onSuccess: () => {
      setOpen(false);
      void qc.invalidateQueries({ queryKey: subAccountKeys.all(orgId) });
    },
  });
  const id = `reclaim-${sub.id}`;
  const nothing = reclaimable === "0";
  return (
    <Dialog open={open} onOpenChange={(o) => (setOpen(o), clearErrors())}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline" disabled={nothing} aria-label={`Reclaim credits from ${sub.name}`}>
          Reclaim
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Reclaim credits from {sub.name}</DialogTitle>
          <DialogDescription>
            Up to {formatCredits(reclaimable)} unspent assigned credits can come back to your pool. Credits {sub.name} bought itself stay there.
          </DialogDescription>
        </DialogHeader>
        <form className="grid gap-3" onSubmit={onSubmit}>
          <input type="hidden" name="subAccountId" value={sub.id} />
          <Field id={`${id}-amount`} label="Credits" error={errors.amount ?? errors.form} hint="Empty = all unspent assigned credits.">
            <Input id={`${id}-amount`} name="amount" inputMode="decimal" placeholder={reclaimable} autoFocus aria-invalid={Boolean(errors.amount)} />
          </Field>
          <Button type="submit" disabled={pending}>
            {pending ? "Reclaiming…" : "Reclaim credits"}
          </Button>
        </form>
      </DialogContent>
    </Dialog>
  );
}
