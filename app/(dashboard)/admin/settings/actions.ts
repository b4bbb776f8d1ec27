"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import type { ActionResult } from "@/lib/auth/action";
import { requirePlatformAdmin } from "@/lib/auth/context";
import { recordAudit } from "@/lib/audit";
import { updatePlatformSettings } from "@/lib/billing/auto-recharge/settings";
import { DomainError } from "@/lib/errors";
import { Credits } from "@/lib/ledger/credits";

const schema = z.object({
  min_top_up_amount: z.string().trim().regex(/^\d+$/, "Enter a whole number of credits"),
  min_recharge_at: z.string().trim().regex(/^\d+$/, "Enter a whole number of credits"),
  credit_price: z.string().trim().regex(/^\d+(\.\d{1,2})?$/, "Enter a price like 1.00"),
  max_consecutive_failures: z.coerce.number("Enter a whole number").int("Enter a whole number"),
});

/** Platform admin: auto-recharge minimums, the price of a recharged credit, and the failure policy. */
export async function updatePlatformSettingsAction(formData: FormData): Promise<ActionResult<undefined>> {
  const admin = await requirePlatformAdmin();
  const parsed = schema.safeParse(Object.fromEntries(formData.entries()));
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[issue.path.join(".")] ??= issue.message;
    return { ok: false, error: "Please correct the highlighted fields.", fieldErrors };
  }
  try {
    const input = {
      minTopUpAmount: Credits.parse(parsed.data.min_top_up_amount, "min_top_up_amount"),
      minRechargeAt: Credits.parse(parsed.data.min_recharge_at, "min_recharge_at"),
      creditPriceCents: Math.round(Number(parsed.data.credit_price) * 100),
      maxConsecutiveFailures: parsed.data.max_consecutive_failures,
    };
    await updatePlatformSettings(db(), input);
    await recordAudit(db(), { organizationId: null, actorUserId: admin.id, action: "platform_settings.updated", data: { ...parsed.data } });
    revalidatePath("/admin/settings");
    return { ok: true, data: undefined };
  } catch (error) {
    if (error instanceof DomainError) {
      const field = (error.details.errors as { field: string; message: string }[] | undefined)?.[0];
      return { ok: false, error: error.message, fieldErrors: field ? { [field.field]: field.message } : undefined };
    }
    throw error;
  }
}
