"use client";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useActionForm } from "@/components/ui/use-action-form";
import { updatePlatformSettingsAction } from "@/app/(dashboard)/admin/settings/actions";

export function PlatformSettingsForm({ values }: { values: { minTopUp: string; minRechargeAt: string; creditPrice: string; maxFailures: number } }) {
  const { errors, pending, onSubmit } = useActionForm(updatePlatformSettingsAction, { success: "Platform settings saved" });
  return (
    <form aria-label="Auto-recharge policy" className="grid gap-4 sm:grid-cols-2" onSubmit={onSubmit}>
      <Field id="min_top_up_amount" label="Minimum top-up amount (credits)" error={errors.min_top_up_amount}>
        <Input id="min_top_up_amount" name="min_top_up_amount" inputMode="numeric" defaultValue={values.minTopUp} aria-invalid={Boolean(errors.min_top_up_amount)} />
      </Field>
      <Field id="min_recharge_at" label="Minimum recharge threshold (credits)" error={errors.min_recharge_at}>
        <Input id="min_recharge_at" name="min_recharge_at" inputMode="numeric" defaultValue={values.minRechargeAt} aria-invalid={Boolean(errors.min_recharge_at)} />
      </Field>
      <Field id="credit_price" label="Price of a recharged credit (USD)" error={errors.credit_price ?? errors.credit_price_cents}>
        <Input id="credit_price" name="credit_price" inputMode="decimal" defaultValue={values.creditPrice} aria-invalid={Boolean(errors.credit_price)} />
      </Field>
      <Field id="max_consecutive_failures" label="Switch off after this many failed payments in a row" error={errors.max_consecutive_failures}>
        <Input id="max_consecutive_failures" name="max_consecutive_failures" inputMode="numeric" defaultValue={values.maxFailures} aria-invalid={Boolean(errors.max_consecutive_failures)} />
      </Field>
      {errors.form ? (
        <p role="alert" className="text-sm text-destructive sm:col-span-2">
          {errors.form}
        </p>
      ) : null}
      <div>
        <Button type="submit" disabled={pending}>
          Save policy
        </Button>
      </div>
    </form>
  );
}
