"use client";
import { useState, useTransition } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";
import { useCurrentOrg } from "@/components/providers/current-org";
import { formatCredits, formatDateTime, formatMoney } from "@/lib/format";
import type { AutoRechargeState } from "@/lib/billing/auto-recharge/state";
import { saveAutoRechargeAction, startCardSetupAction } from "@/app/(dashboard)/billing/auto-recharge-actions";

const STATUS_TEXT: Record<string, string> = {
  pending: "Charging…",
  retrying: "Payment failed; retrying",
  requires_action: "Waiting for you to confirm the payment",
  succeeded: "Succeeded",
  failed: "Failed",
  skipped: "Skipped (monthly ceiling)",
  refunded: "Refunded (its credits were taken back)",
  partially_refunded: "Partly refunded (that share of its credits was taken back)",
  disputed: "Disputed (its credits were taken back)",
};

export function AutoRechargeForm({ state, canManage }: { state: AutoRechargeState; canManage: boolean }) {
  const orgId = useCurrentOrg();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  const last = state.last_recharge;

  const addCard = () =>
    startTransition(async () => {
      const result = await startCardSetupAction({ _org: orgId });
      if (result.ok) window.location.assign(result.data.url);
      else toast({ title: "Could not open the card form", description: result.error, variant: "error" });
    });

  return (
    <div className="grid gap-4">
      {state.disabled_reason ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900">
          {state.disabled_reason}
        </p>
      ) : null}
      {last && (last.status === "requires_action" || last.status === "retrying") ? (
        <p role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm">
          Last top-up of {formatCredits(last.amount)} credits: {STATUS_TEXT[last.status]}
          {last.failure_reason ? ` (${last.failure_reason})` : ""}.{" "}
          {last.action_url ? (
            <a className="font-medium underline" href={last.action_url}>
              Complete the payment
            </a>
          ) : last.next_attempt_at ? (
            `Next try ${formatDateTime(last.next_attempt_at)}.`
          ) : null}
        </p>
      ) : null}

      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="font-medium">Card:</span>
        {state.card ? (
          <span data-testid="recharge-card">
            {(state.card.brand ?? "card").toUpperCase()} •••• {state.card.last4}
            {state.card.exp_month ? ` · expires ${String(state.card.exp_month).padStart(2, "0")}/${state.card.exp_year}` : ""}
          </span>
        ) : (
          <span className="text-muted-foreground">No card saved</span>
        )}
        {canManage ? (
          <Button type="button" variant="outline" size="sm" onClick={addCard} disabled={pending}>
            {state.card ? "Replace card" : "Add card"}
          </Button>
        ) : null}
      </div>

      <form
        aria-label="Auto-recharge settings"
        className="grid gap-4"
        // onSubmit, not action: a form action resets the fields, which would throw away what the owner typed when a value is refused.
        onSubmit={(event) => {
          event.preventDefault();
          const formData = new FormData(event.currentTarget);
          formData.set("_org", orgId);
          startTransition(async () => {
            const result = await saveAutoRechargeAction(formData);
            if (!result.ok) {
              setErrors(result.fieldErrors ?? { form: result.error });
              return;
            }
            setErrors({});
            const r = result.data.recharge;
            toast(
              r
                ? { title: `Auto-recharge saved: ${r.status === "succeeded" ? `${formatCredits(r.amount)} credits added now` : STATUS_TEXT[r.status]}`, variant: r.status === "succeeded" ? "default" : "error" }
                : { title: "Auto-recharge saved" },
            );
          });
        }}
      >
        <label className="flex items-center gap-2 text-sm font-medium">
          <input type="checkbox" name="enabled" defaultChecked={state.enabled} disabled={!canManage} className="h-4 w-4" />
          Recharge automatically when credits run low
        </label>
        <div className="grid gap-4 sm:grid-cols-3">
          <Field id="top_up_amount" label="Top-up amount (credits)" error={errors.top_up_amount} hint={`At least ${formatCredits(state.minimums.top_up_amount)}; costs ${formatMoney(state.price_cents, state.currency)} at today's setting`}>
            <Input id="top_up_amount" name="top_up_amount" inputMode="numeric" defaultValue={state.top_up_amount} disabled={!canManage} aria-invalid={Boolean(errors.top_up_amount)} />
          </Field>
          <Field
            id="recharge_at"
            label="Recharge when available credits fall below"
            error={errors.recharge_at}
            hint={`Recommended: ${formatCredits(state.recommended_recharge_at)} (3 days at your last 7 days' rate of ${formatCredits(state.daily_burn, 2)}/day; at least ${formatCredits(state.minimums.recharge_at)})`}
          >
            <Input id="recharge_at" name="recharge_at" inputMode="decimal" defaultValue={state.recharge_at} disabled={!canManage} aria-invalid={Boolean(errors.recharge_at)} />
          </Field>
          <Field id="monthly_ceiling" label={`Monthly spending ceiling (${state.currency.toUpperCase()}, optional)`} error={errors.monthly_ceiling}>
            <Input
              id="monthly_ceiling"
              name="monthly_ceiling"
              inputMode="decimal"
              placeholder="No ceiling"
              defaultValue={state.monthly_ceiling_cents !== null ? (state.monthly_ceiling_cents / 100).toFixed(2) : ""}
              disabled={!canManage}
              aria-invalid={Boolean(errors.monthly_ceiling)}
            />
          </Field>
        </div>
        {errors.form || errors.payment_method ? (
          <p role="alert" className="text-sm text-destructive">
            {errors.form ?? errors.payment_method}
          </p>
        ) : null}
        {canManage ? (
          <div>
            <Button type="submit" disabled={pending}>
              Save auto-recharge
            </Button>
          </div>
        ) : (
          <p className="text-xs text-muted-foreground">Only an admin can change auto-recharge.</p>
        )}
      </form>
      {last ? (
        <p className="text-xs text-muted-foreground">
          Last recharge: <Badge variant={last.status === "succeeded" ? "free" : last.status === "failed" ? "danger" : "warning"}>{STATUS_TEXT[last.status] ?? last.status}</Badge> {formatCredits(last.amount)} credits ·{" "}
          {formatDateTime(last.resolved_at ?? last.created_at)}
        </p>
      ) : null}
    </div>
  );
}
