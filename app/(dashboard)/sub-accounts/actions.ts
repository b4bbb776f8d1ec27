"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { orgAction } from "@/lib/auth/action";
import {
  assignCredits,
  createAgencyPackFor,
  createSubAccount,
  inviteSubAccountUser,
  reclaimCredits,
  renameSubAccount,
  setAgencyPackStatus,
  setSubAccountStatus,
} from "@/lib/agency";
import { CURRENCIES } from "@/lib/billing/offers";
import { Credits } from "@/lib/ledger/credits";
import { InvalidInputError } from "@/lib/errors";

// Every action runs in the org its form was rendered for (the form's `_org` field, see orgAction);
// lib/agency re-checks that it is an agency the user administers and that the sub-account is its own
// (403 / 404 otherwise).
const actor = (ctx: { user: { id: string }; org: { id: string } }) => ({ userId: ctx.user.id, orgId: ctx.org.id });
const amountField = z.string().trim().regex(/^\d+(\.\d{1,6})?$/, "Enter credits, e.g. 25 or 2.5 (at most 6 decimals)");
const refresh = (subAccountId?: string) => {
  revalidatePath("/sub-accounts");
  if (subAccountId) revalidatePath(`/sub-accounts/${subAccountId}`);
};

/** "2026-06-30" → the end of that UTC day. */
function endOfDay(date: string): Date {
  const d = new Date(`${date}T23:59:59.000Z`);
  if (Number.isNaN(d.getTime())) throw new InvalidInputError("expiresOn", "Enter a date");
  return d;
}

export const createSubAccountAction = orgAction(
  z.object({ name: z.string().trim().min(1, "Give the sub-account a name").max(80, "At most 80 characters") }),
  async (input, ctx) => {
    const sub = await createSubAccount(db(), actor(ctx), input);
    refresh();
    return { id: sub.id, name: sub.name };
  },
  { role: "admin" },
);

export const renameSubAccountAction = orgAction(
  z.object({ subAccountId: z.uuid(), name: z.string().trim().min(1, "Give the sub-account a name").max(80, "At most 80 characters") }),
  async (input, ctx) => {
    const sub = await renameSubAccount(db(), actor(ctx), input);
    refresh(sub.id);
    return { name: sub.name };
  },
  { role: "admin" },
);

export const setSubAccountStatusAction = orgAction(
  z.object({ subAccountId: z.uuid(), status: z.enum(["active", "suspended"]) }),
  async (input, ctx) => {
    const sub = await setSubAccountStatus(db(), actor(ctx), input);
    refresh(sub.id);
    const pending = sub.planSubscriptionsPending;
    // The status change stands either way; Stripe is retried in the background.
    const billingWarning =
      pending === 0
        ? null
        : `${sub.name} is ${sub.status}, but ${pending ?? "some"} of its visitors' plan subscriptions could not be ${sub.status === "suspended" ? "paused" : "resumed"} at Stripe yet; we keep retrying.`;
    return { status: sub.status, billingWarning };
  },
  { role: "admin" },
);

export const assignCreditsAction = orgAction(
  z.object({
    subAccountId: z.uuid(),
    amount: amountField,
    type: z.enum(["source", "free", "paid"], "Choose a credit type").default("source"),
    expiresOn: z
      .string()
      .trim()
      .regex(/^(\d{4}-\d{2}-\d{2})?$/, "Enter a date")
      .optional(),
  }),
  async (input, ctx) => {
    const result = await assignCredits(db(), actor(ctx), {
      subAccountId: input.subAccountId,
      amount: Credits.parse(input.amount, "amount"),
      type: input.type === "source" ? undefined : input.type,
      expiresAt: input.expiresOn ? endOfDay(input.expiresOn) : null,
    });
    refresh(input.subAccountId);
    return result;
  },
  { role: "admin" },
);

export const reclaimCreditsAction = orgAction(
  z.object({ subAccountId: z.uuid(), amount: z.union([z.literal(""), amountField]).optional() }),
  async (input, ctx) => {
    const result = await reclaimCredits(db(), actor(ctx), {
      subAccountId: input.subAccountId,
      amount: input.amount ? Credits.parse(input.amount, "amount") : null,
    });
    refresh(input.subAccountId);
    return result;
  },
  { role: "admin" },
);

export const inviteUserAction = orgAction(
  z.object({
    subAccountId: z.uuid(),
    email: z.email("Enter an email address").max(200),
    name: z.string().trim().max(80).optional(),
    role: z.enum(["admin", "member"]).default("admin"),
  }),
  async (input, ctx) => {
    const result = await inviteSubAccountUser(db(), actor(ctx), input);
    refresh(input.subAccountId);
    return result;
  },
  { role: "admin" },
);

/** "49" / "49.5" / "49.00" → 4900 minor units (2-decimal currencies only, as CURRENCIES are). */
function toMinor(price: string): number {
  const [whole, frac = ""] = price.split(".");
  return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
}

export const createAgencyPackAction = orgAction(
  z.object({
    name: z.string().trim().min(1, "Give the pack a name").max(80, "At most 80 characters"),
    credits: amountField,
    price: z.string().trim().regex(/^\d{1,6}(\.\d{1,2})?$/, "Enter a price, e.g. 49 or 49.50"),
    currency: z.enum(CURRENCIES, "Choose a currency"),
    bonusCredits: z.union([z.literal(""), amountField]).optional(),
    bonusExpiresInDays: z.union([z.literal(""), z.coerce.number("Enter days").int("Enter whole days").min(1).max(3650)]).optional(),
    description: z.string().trim().max(200).optional(),
  }),
  async (input, ctx) => {
    const pack = await createAgencyPackFor(db(), actor(ctx), {
      name: input.name,
      description: input.description || null,
      priceMinor: toMinor(input.price),
      currency: input.currency,
      credits: Credits.parse(input.credits, "credits"),
      bonusCredits: input.bonusCredits ? Credits.parse(input.bonusCredits, "bonusCredits") : 0n,
      bonusExpiresInDays: input.bonusExpiresInDays === "" || input.bonusExpiresInDays === undefined ? null : input.bonusExpiresInDays,
    });
    revalidatePath("/sub-accounts/pricing");
    return { id: pack.id, name: pack.name };
  },
  { role: "admin" },
);

export const setAgencyPackStatusAction = orgAction(
  z.object({ packId: z.uuid(), status: z.enum(["active", "archived"]) }),
  async (input, ctx) => {
    const pack = await setAgencyPackStatus(db(), actor(ctx), input);
    revalidatePath("/sub-accounts/pricing");
    return { status: pack.status };
  },
  { role: "admin" },
);
