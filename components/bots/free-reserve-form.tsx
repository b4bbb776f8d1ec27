"use client";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useActionForm } from "@/components/ui/use-action-form";
import { updateFreeReserveAction } from "@/app/(dashboard)/bots/actions";

export function FreeReserveForm({ botId, botName, perPeriod, answersPerVisitorPerDay, disabled }: { botId: string; botName: string; perPeriod: string; answersPerVisitorPerDay: number; disabled: boolean }) {
  const { errors, pending, onSubmit } = useActionForm(updateFreeReserveAction, { success: `Free reserve of ${botName} saved` });
  return (
    <form aria-label={`Free reserve of ${botName}`} className="flex flex-wrap items-end gap-3" onSubmit={onSubmit}>
      <input type="hidden" name="botId" value={botId} />
      <div className="w-44">
        <Field id={`reserve-${botId}`} label="Free credits per month" error={errors.perPeriod ?? errors.form}>
          <Input id={`reserve-${botId}`} name="perPeriod" inputMode="decimal" defaultValue={perPeriod} disabled={disabled} aria-invalid={Boolean(errors.perPeriod)} />
        </Field>
      </div>
      <div className="w-52">
        <Field id={`answers-${botId}`} label="Free answers per visitor per day" error={errors.answersPerVisitorPerDay}>
          <Input id={`answers-${botId}`} name="answersPerVisitorPerDay" inputMode="numeric" defaultValue={answersPerVisitorPerDay} disabled={disabled} aria-invalid={Boolean(errors.answersPerVisitorPerDay)} />
        </Field>
      </div>
      {!disabled ? (
        <Button type="submit" variant="outline" disabled={pending}>
          Save
        </Button>
      ) : null}
    </form>
  );
}
