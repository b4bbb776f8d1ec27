"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useCurrentOrg } from "@/components/providers/current-org";
import { useToast } from "@/components/ui/toast";
import { createAgencyPackAction, setAgencyPackStatusAction } from "@/app/(dashboard)/sub-accounts/actions";

/** The agency's price list for its sub-accounts: a new pack (credits, price, optional bonus with its expiry). */
export function AgencyPackForm({ currencies }: { currencies: readonly string[] }) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const orgId = useCurrentOrg();
  const router = useRouter();
  return (
    <form
      className="grid gap-3 sm:grid-cols-3"
      action={(formData) =>
        startTransition(async () => {
          formData.set("_org", orgId);
          const result = await createAgencyPackAction(formData);
          if (result.ok) {
            setErrors({});
            toast({ title: `Pack “${result.data.name}” is on sale to your sub-accounts` });
            router.refresh();
          } else setErrors(result.fieldErrors ?? { name: result.error });
        })
      }
    >
      <Field id="pack-name" label="Pack name" error={errors.name}>
        <Input id="pack-name" name="name" required maxLength={80} aria-invalid={Boolean(errors.name)} />
      </Field>
      <Field id="pack-credits" label="Credits" error={errors.credits}>
        <Input id="pack-credits" name="credits" inputMode="decimal" required aria-invalid={Boolean(errors.credits)} />
      </Field>
      <div className="grid grid-cols-[1fr_6rem] gap-2">
        <Field id="pack-price" label="Price" error={errors.price}>
          <Input id="pack-price" name="price" inputMode="decimal" required placeholder="49.00" aria-invalid={Boolean(errors.price)} />
        </Field>
        <Field id="pack-currency" label="Currency" error={errors.currency}>
          <Select id="pack-currency" name="currency" defaultValue="usd">
            {currencies.map((c) => (
              <option key={c} value={c}>
                {c.toUpperCase()}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Field id="pack-bonus" label="Bonus credits (optional)" error={errors.bonusCredits}>
        <Input id="pack-bonus" name="bonusCredits" inputMode="decimal" aria-invalid={Boolean(errors.bonusCredits)} />
      </Field>
      <Field id="pack-bonus-days" label="Bonus valid for (days)" error={errors.bonusExpiresInDays}>
        <Input id="pack-bonus-days" name="bonusExpiresInDays" inputMode="numeric" aria-invalid={Boolean(errors.bonusExpiresInDays)} />
      </Field>
      <Field id="pack-description" label="Description (optional)" error={errors.description}>
        <Input id="pack-description" name="description" maxLength={200} />
      </Field>
      <div className="sm:col-span-3">
        <Button type="submit" disabled={pending}>
          Add pack
        </Button>
      </div>
    </form>
  );
}

export function PackStatusButton({ packId, packName, status }: { packId: string; packName: string; status: "active" | "archived" }) {
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const orgId = useCurrentOrg();
  const router = useRouter();
  const next = status === "active" ? "archived" : "active";
  return (
    <Button
      size="sm"
      variant="outline"
      disabled={pending}
      aria-label={`${next === "archived" ? "Stop selling" : "Sell again"} ${packName}`}
      onClick={() =>
        startTransition(async () => {
          const result = await setAgencyPackStatusAction({ _org: orgId, packId, status: next });
          if (result.ok) {
            toast({ title: next === "archived" ? `${packName} is no longer sold` : `${packName} is on sale again` });
            router.refresh();
          } else toast({ title: result.error, variant: "error" });
        })
      }
    >
      {next === "archived" ? "Stop selling" : "Sell again"}
    </Button>
  );
}
