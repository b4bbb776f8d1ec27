"use client";
import { Button } from "@/components/ui/button";
import { CurrencySelect } from "@/components/ui/currency-select";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useActionForm } from "@/components/ui/use-action-form";
import { createEndUserPackAction } from "@/app/(dashboard)/bots/[botId]/actions";

/** New credit pack for this bot's end users: credits, price, currency, optional bonus with its own expiry. */
export function EndUserPackForm({ botId }: { botId: string }) {
  const { errors, pending, onSubmit } = useActionForm(createEndUserPackAction, { success: "Pack created", resetOnSuccess: true });
  const id = (name: string) => `pack-${name}-${botId}`;
  return (
    <form aria-label="New credit pack" className="grid gap-3 sm:grid-cols-3" onSubmit={onSubmit}>
      <input type="hidden" name="botId" value={botId} />
      <Field id={id("name")} label="Pack name" error={errors.name}>
        <Input id={id("name")} name="name" placeholder="500 credits" aria-invalid={Boolean(errors.name)} />
      </Field>
      <Field id={id("credits")} label="Credits" error={errors.credits}>
        <Input id={id("credits")} name="credits" inputMode="decimal" placeholder="500" aria-invalid={Boolean(errors.credits)} />
      </Field>
      <PriceFields id={id} label="Price" placeholder="20.00" errors={errors} />
      <Field id={id("bonus")} label="Bonus credits (optional)" error={errors.bonusCredits}>
        <Input id={id("bonus")} name="bonusCredits" inputMode="decimal" placeholder="0" aria-invalid={Boolean(errors.bonusCredits)} />
      </Field>
      <Field id={id("bonus-days")} label="Bonus expires after (days)" error={errors.bonusExpiresInDays}>
        <Input id={id("bonus-days")} name="bonusExpiresInDays" inputMode="numeric" placeholder="30" aria-invalid={Boolean(errors.bonusExpiresInDays)} />
      </Field>
      <SubmitRow label="Create pack" pending={pending} error={errors.form} />
    </form>
  );
}

/** Price and currency side by side; shared by the pack and plan forms. */
export function PriceFields({ id, label, placeholder, errors }: { id: (name: string) => string; label: string; placeholder: string; errors: Record<string, string> }) {
  return (
    <div className="grid grid-cols-[1fr_6rem] gap-2">
      <Field id={id("price")} label={label} error={errors.price}>
        <Input id={id("price")} name="price" inputMode="decimal" placeholder={placeholder} aria-invalid={Boolean(errors.price)} />
      </Field>
      <Field id={id("currency")} label="Currency" error={errors.currency}>
        <CurrencySelect id={id("currency")} />
      </Field>
    </div>
  );
}

export function SubmitRow({ label, pending, error }: { label: string; pending: boolean; error?: string }) {
  return (
    <>
      <div className="flex items-end">
        <Button type="submit" disabled={pending}>
          {label}
        </Button>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-destructive sm:col-span-3">
          {error}
        </p>
      ) : null}
    </>
  );
}
