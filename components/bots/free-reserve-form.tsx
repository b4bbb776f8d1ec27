"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";
import { updateFreeReserveAction } from "@/app/(dashboard)/bots/actions";

export function FreeReserveForm({ botId, botName, perPeriod, answersPerVisitorPerDay, disabled }: { botId: string; botName: string; perPeriod: string; answersPerVisitorPerDay: number; disabled: boolean }) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  return (
    <form
      aria-label={`Free reserve of ${botName}`}
      className="flex flex-wrap items-end gap-3"
      action={(formData) =>
        startTransition(async () => {
          const result = await updateFreeReserveAction(formData);
          if (result.ok) {
            setErrors({});
            toast({ title: `Free reserve of ${botName} saved` });
          } else setErrors(result.fieldErrors ?? { perPeriod: result.error });
        })
      }
    >
      <input type="hidden" name="botId" value={botId} />
      <div className="w-44">
        <Field id={`reserve-${botId}`} label="Free credits per month" error={errors.perPeriod}>
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
