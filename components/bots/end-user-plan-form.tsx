"use client";
import { Input, Select } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useActionForm } from "@/components/ui/use-action-form";
import { createEndUserPlanAction } from "@/app/(dashboard)/bots/[botId]/actions";
import { PriceFields, SubmitRow } from "./end-user-pack-form";

/** New recurring plan for this bot's end users: price per interval, credits per period, rollover or expire. */
export function EndUserPlanForm({ botId }: { botId: string }) {
  const { errors, pending, onSubmit } = useActionForm(createEndUserPlanAction, { success: "Plan created", resetOnSuccess: true });
  const id = (name: string) => `plan-${name}-${botId}`;
  return (
    <form aria-label="New plan" className="grid gap-3 sm:grid-cols-3" onSubmit={onSubmit}>
      <input type="hidden" name="botId" value={botId} />
      <Field id={id("name")} label="Plan name" error={errors.name}>
        <Input id={id("name")} name="name" placeholder="Monthly" aria-invalid={Boolean(errors.name)} />
      </Field>
      <Field id={id("credits")} label="Credits per period" error={errors.creditsPerPeriod}>
        <Input id={id("credits")} name="creditsPerPeriod" inputMode="decimal" placeholder="300" aria-invalid={Boolean(errors.creditsPerPeriod)} />
      </Field>
      <PriceFields id={id} label="Price per period" placeholder="9.00" errors={errors} />
      <Field id={id("interval")} label="Period" error={errors.interval}>
        <Select id={id("interval")} name="interval" defaultValue="month">
          <option value="week">Week</option>
          <option value="month">Month</option>
          <option value="year">Year</option>
        </Select>
      </Field>
      <Field id={id("rollover")} label="Unused credits" error={errors.rollover}>
        <Select id={id("rollover")} name="rollover" defaultValue="expire">
          <option value="expire">Expire at period end</option>
          <option value="rollover">Roll over</option>
        </Select>
      </Field>
      <SubmitRow label="Create plan" pending={pending} error={errors.form} />
    </form>
  );
}
