"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { orgAction } from "@/lib/auth/action";
import { recordAudit } from "@/lib/audit";
import { givePromoCredits } from "@/lib/billing/end-users";
import { CURRENCIES, createEndUserPack, createEndUserPlan, PLAN_INTERVALS, setPackStatus, setPlanStatus } from "@/lib/billing/offers";
import { Credits } from "@/lib/ledger/credits";

const credits = (label: string) => z.string().trim().regex(/^\d+(\.\d{1,6})?$/, `Enter ${label}, e.g. 500 or 2.5`);
const money = z.string().trim().regex(/^\d+(\.\d{1,2})?$/, "Enter a price, e.g. 9 or 9.99");
/** "9.99" → 999 (every offered currency has 2 decimals). */
const toMinor = (value: string) => {
  const [whole, frac = ""] = value.split(".");
  return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
};

export const createEndUserPackAction = orgAction(
  z.object({
    botId: z.uuid(),
    name: z.string().trim().min(1, "Give the pack a name").max(80),
    credits: credits("credits"),
    price: money,
    currency: z.enum(CURRENCIES, "Choose a currency"),
    bonusCredits: credits("bonus credits").or(z.literal("")).optional(),
    bonusExpiresInDays: z.string().trim().regex(/^\d*$/, "Enter whole days").optional(),
  }),
  async (input, ctx) => {
    const bonus = input.bonusCredits ? Credits.parse(input.bonusCredits, "bonusCredits") : 0n;
    const pack = await createEndUserPack(db(), {
      organizationId: ctx.org.id,
      botId: input.botId,
      name: input.name,
      credits: Credits.parse(input.credits, "credits"),
      priceMinor: toMinor(input.price),
      currency: input.currency,
      bonusCredits: bonus,
      bonusExpiresInDays: bonus > 0n ? Number(input.bonusExpiresInDays || 0) : null,
    });
    await recordAudit(db(), { organizationId: ctx.org.id, actorUserId: ctx.user.id, action: "billing.pack_created", subjectType: "credit_pack", subjectId: pack.id, data: input });
    revalidatePath(`/bots/${input.botId}`);
    return { id: pack.id };
  },
  { role: "admin" },
);

export const setEndUserPackStatusAction = orgAction(
  z.object({ botId: z.uuid(), packId: z.uuid(), status: z.enum(["active", "archived"]) }),
  async (input, ctx) => {
    await setPackStatus(db(), { sellerOrganizationId: ctx.org.id, packId: input.packId, status: input.status });
    await recordAudit(db(), { organizationId: ctx.org.id, actorUserId: ctx.user.id, action: `billing.pack_${input.status}`, subjectType: "credit_pack", subjectId: input.packId });
    revalidatePath(`/bots/${input.botId}`);
    return undefined;
  },
  { role: "admin" },
);

export const createEndUserPlanAction = orgAction(
  z.object({
    botId: z.uuid(),
    name: z.string().trim().min(1, "Give the plan a name").max(80),
    creditsPerPeriod: credits("credits per period"),
    price: money,
    currency: z.enum(CURRENCIES, "Choose a currency"),
    interval: z.enum(PLAN_INTERVALS, "Choose an interval"),
    rollover: z.enum(["rollover", "expire"], "Choose what happens to unused credits"),
  }),
  async (input, ctx) => {
    const plan = await createEndUserPlan(db(), {
      organizationId: ctx.org.id,
      botId: input.botId,
      name: input.name,
      creditsPerPeriod: Credits.parse(input.creditsPerPeriod, "creditsPerPeriod"),
      priceMinor: toMinor(input.price),
      currency: input.currency,
      interval: input.interval,
      rollover: input.rollover === "rollover",
    });
    await recordAudit(db(), { organizationId: ctx.org.id, actorUserId: ctx.user.id, action: "billing.plan_created", subjectType: "end_user_plan", subjectId: plan.id, data: input });
    revalidatePath(`/bots/${input.botId}`);
    return { id: plan.id };
  },
  { role: "admin" },
);

export const setEndUserPlanStatusAction = orgAction(
  z.object({ botId: z.uuid(), planId: z.uuid(), status: z.enum(["active", "archived"]) }),
  async (input, ctx) => {
    await setPlanStatus(db(), { organizationId: ctx.org.id, planId: input.planId, status: input.status });
    await recordAudit(db(), { organizationId: ctx.org.id, actorUserId: ctx.user.id, action: `billing.plan_${input.status}`, subjectType: "end_user_plan", subjectId: input.planId });
    revalidatePath(`/bots/${input.botId}`);
    return undefined;
  },
  { role: "admin" },
);

export const givePromoCreditsAction = orgAction(
  z.object({
    botId: z.uuid(),
    endUserId: z.uuid(),
    amount: credits("credits"),
    expiresInDays: z.coerce.number("Enter whole days").int("Enter whole days").min(1, "At least 1 day").max(3650, "At most 3650 days"),
    note: z.string().trim().max(200).optional(),
    requestId: z.uuid(),
  }),
  async (input, ctx) => {
    const now = new Date();
    const { batch, created } = await givePromoCredits(db(), {
      organizationId: ctx.org.id,
      botId: input.botId,
      endUserId: input.endUserId,
      amount: Credits.parse(input.amount, "amount", { allowZero: false }),
      expiresAt: new Date(now.getTime() + input.expiresInDays * 86_400_000),
      note: input.note,
      givenByUserId: ctx.user.id,
      requestId: input.requestId,
      now,
    });
    if (created) {
      await recordAudit(db(), { organizationId: ctx.org.id, actorUserId: ctx.user.id, action: "billing.promo_given", subjectType: "batch", subjectId: batch.id, data: { end_user_id: input.endUserId, amount: input.amount, expires_in_days: input.expiresInDays } });
    }
    revalidatePath(`/bots/${input.botId}`);
    return { batchId: batch.id };
  },
  { role: "admin" },
);
