"use client";
import { useRef, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";
import { createEndUserPackAction } from "@/app/(dashboard)/bots/[botId]/actions";

const CURRENCIES = ["usd", "eur", "gbp", "chf", "cad", "aud"];

/** New credit pack for this bot's end users: credits, price, currency, optional bonus with its own expiry. */
export function EndUserPackForm({ botId }: { botId: string }) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, startTransition] = useTransition();
  const form = useRef<HTMLFormElement>(null);
  const toast = useToast();
  const id = (name: string) => `pack-${name}-${botId}`;
  return (
    <form
      ref={form}
      aria-label="New credit pack"
      className="grid gap-3 sm:grid-cols-3"
      action={(formData) =>
        startTransition(async () => {
          const result = await createEndUserPackAction(formData);
          if (result.ok) {
            setErrors({});
            form.current?.reset();
            toast({ title: "Pack created" });
          } else setErrors(result.fieldErrors ?? { form: result.error });
        })
      }
    >
      <input type="hidden" name="botId" value={botId} />
      <Field id={id("name")} label="Pack name" error={errors.name}>
        <Input id={id("name")} name="name" placeholder="500 credits" aria-invalid={Boolean(errors.name)} />
      </Field>
      <Field id={id("credits")} label="Credits" error={errors.credits}>
        <Input id={id("credits")} name="credits" inputMode="decimal" placeholder="500" aria-invalid={Boolean(errors.credits)} />
      </Field>
      <div className="grid grid-cols-[1fr_6rem] gap-2">
        <Field id={id("price")} label="Price" error={errors.price}>
          <Input id={id("price")} name="price" inputMode="decimal" placeholder="20.00" aria-invalid={Boolean(errors.price)} />
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
      <Field id={id("bonus")} label="Bonus credits (optional)" error={errors.bonusCredits}>
        <Input id={id("bonus")} name="bonusCredits" inputMode="decimal" placeholder="0" aria-invalid={Boolean(errors.bonusCredits)} />
      </Field>
      <Field id={id("bonus-days")} label="Bonus expires after (days)" error={errors.bonusExpiresInDays}>
        <Input id={id("bonus-days")} name="bonusExpiresInDays" inputMode="numeric" placeholder="30" aria-invalid={Boolean(errors.bonusExpiresInDays)} />
      </Field>
      <div className="flex items-end">
        <Button type="submit" disabled={pending}>
          Create pack
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
