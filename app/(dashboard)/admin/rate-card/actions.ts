"use server";
import { revalidatePath } from "next/cache";
import { db } from "@/db/client";
import { requirePlatformAdmin } from "@/lib/auth/context";
import type { ActionResult } from "@/lib/auth/action";
import { recordAudit } from "@/lib/audit";
import { DomainError } from "@/lib/errors";
import { publishRateCard } from "@/lib/metering/rate-card";

/** Field names are `llm.standard.input_per_1k_tokens` etc.; they nest back into the prices object. */
function nest(formData: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of formData.entries()) {
    if (name.startsWith("$") || name === "effective_from" || name === "note") continue;
    const parts = name.split(".");
    let node = out;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]] = String(value).trim();
  }
  return out;
}

export async function publishRateCardAction(formData: FormData): Promise<ActionResult<{ version: number }>> {
  const admin = await requirePlatformAdmin();
  try {
    const effective = String(formData.get("effective_from") ?? "").trim();
    const effectiveFrom = effective ? new Date(`${effective}Z`) : undefined;
    if (effectiveFrom && Number.isNaN(effectiveFrom.getTime())) return { ok: false, error: "Enter a valid date and time", fieldErrors: { effective_from: "Enter a valid date and time" } };
    const card = await publishRateCard(db(), { prices: nest(formData), effectiveFrom, note: String(formData.get("note") ?? "") || null, createdByUserId: admin.id });
    await recordAudit(db(), { organizationId: null, actorUserId: admin.id, action: "rate_card.published", subjectType: "rate_card", subjectId: String(card.version) });
    revalidatePath("/admin/rate-card");
    return { ok: true, data: { version: card.version } };
  } catch (error) {
    if (error instanceof DomainError) {
      const field = (error.details.errors as { field: string; message: string }[] | undefined)?.[0];
      return { ok: false, error: error.message, fieldErrors: field ? { [field.field.replace(/^prices\./, "")]: field.message } : undefined };
    }
    throw error;
  }
}
