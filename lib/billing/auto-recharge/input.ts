import { z } from "zod";
import { Credits } from "@/lib/ledger/credits";
import type { AutoRechargeInput } from "./settings";

/** The settings as a form or the API sends them: credits as decimal strings, the ceiling in major units. */
export const autoRechargeInputSchema = z.object({
  enabled: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()),
  top_up_amount: z.string().trim().regex(/^\d+$/, "Enter a whole number of credits"),
  recharge_at: z.string().trim().regex(/^\d+(\.\d{1,6})?$/, "Enter credits, e.g. 100"),
  monthly_ceiling: z
    .string()
    .trim()
    .regex(/^(\d+(\.\d{1,2})?)?$/, "Enter an amount like 500 or 500.00, or leave it empty")
    .nullish(),
});

export function toAutoRechargeInput(input: z.infer<typeof autoRechargeInputSchema>): AutoRechargeInput {
  return {
    enabled: input.enabled,
    topUpAmount: Credits.parse(input.top_up_amount, "top_up_amount"),
    rechargeAt: Credits.parse(input.recharge_at, "recharge_at"),
    monthlyCeilingCents: input.monthly_ceiling ? Math.round(Number(input.monthly_ceiling) * 100) : null,
  };
}
