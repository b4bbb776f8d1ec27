"use client";
import { useRef, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";
import { createEndUserPlanAction } from "@/app/(dashboard)/bots/[botId]/actions";

const CURRENCIES = ["usd", "eur", "gbp", "chf", "cad", "aud"];

/** New recurring plan for this bot's end users: price per interval, credits per period, rollover or expire. */
export function EndUserPlanForm({ botId }: { botId: string }) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, startTransition] = useTransition();
  const form = useRef<HTMLFormElement>(null);
  const toast = useToast();
  const id = (name: string) => `plan-${name}-${botId}`;
  return (
    <form
      ref={form}
      aria-label="New plan"
      className="grid gap-3 sm:grid-cols-3"
      action={(formData) =>
        startTransition(async () => {
          const result = await createEndUserPlanAction(formData);
          if (result.ok) {
            setErrors({});
            form.current?.reset();
            toast({ title: "Plan created" });
          } else setErrors(result.fieldErrors ?? { form: result.error });
        })
      }
    >
      <input type="hidden" name="botId" value={botId} />
      <Field id={id("name")} label="Plan name" error={errors.name}>
        <Input id={id("name")} name="name" placeholder="Monthly" aria-invalid={Boolean(errors.name)} />
      </Field>
      <Field id={id("credits")} label="Credits per period" error={errors.creditsPerPeriod}>
        <Input id={id("credits")} name="creditsPerPeriod" inputMode="decimal" placeholder="300" aria-invalid={Boolean(errors.creditsPerPeriod)} />
      </Field>
      <div className="grid grid-cols-[1fr_6rem] gap-2">
        <Field id={id("price")} label="Price per period" error={errors.price}>
          <Input id={id("price")} name="price" inputMode="decimal" placeholder="9.00" aria-invalid={Boolean(errors.price)} />
        </Field>
        <Field id={id("currency")} label="Currency" error={errors.currency}>
          <Select id={id("currency")} name="currency" defaultValue="usd">
            {CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {c.toUpperCase()}
              </option>
            ))}
          </Select>
        </Field>
      </div>
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
      <div className="flex items-end">
        <Button type="submit" disabled={pending}>
          Create plan
        </Button>
      </div>
      {errors.form ? (
        <p role="alert" className="text-sm text-destructive sm:col-span-3">
          {errors.form}
        </p>
      ) : null}
    </form>
  );
}
