"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { orgAction } from "@/lib/auth/action";
import { recordAudit } from "@/lib/audit";
import { createCardSetupCheckout } from "@/lib/billing/auto-recharge/card";
import { saveSettingsAndRecharge } from "@/lib/billing/auto-recharge/recharge";
import { appBaseUrl } from "@/lib/billing/urls";
import { Credits } from "@/lib/ledger/credits";
import { autoRechargeInputSchema, toAutoRechargeInput } from "@/lib/billing/auto-recharge/input";

/** Saves the settings; turning it on while already below the threshold charges at once (SPEC §7). */
export const saveAutoRechargeAction = orgAction(
  autoRechargeInputSchema,
  async (input, ctx) => {
    const { recharge: charged } = await saveSettingsAndRecharge(db(), ctx.org.id, toAutoRechargeInput(input), ctx.user.id);
    await recordAudit(db(), { organizationId: ctx.org.id, actorUserId: ctx.user.id, action: "auto_recharge.saved", data: { ...input } });
    revalidatePath("/billing");
    revalidatePath("/credit");
    return { recharge: charged ? { status: charged.status, amount: Credits.format(charged.amount) } : null };
  },
  { role: "admin" },
);

/** Opens Checkout in setup mode to add or replace the recharge card. */
export const startCardSetupAction = orgAction(
  z.object({}),
  async (_input, ctx) => {
    const base = await appBaseUrl();
    const session = await createCardSetupCheckout(db(), ctx.org.id, { successUrl: `${base}/billing?card_session={CHECKOUT_SESSION_ID}`, cancelUrl: `${base}/billing?card_canceled=1` });
    return { url: session.url };
  },
  { role: "admin" },
);
