"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { orgAction } from "@/lib/auth/action";
import { recordAudit } from "@/lib/audit";
import { createBot, updateFreeReserve } from "@/lib/bots/bots";
import { Credits } from "@/lib/ledger/credits";

export const createBotAction = orgAction(
  z.object({ name: z.string().trim().min(1, "Give the bot a name").max(80), type: z.enum(["language_model", "coding"], "Choose a bot type") }),
  async (input, ctx) => {
    const bot = await createBot(db(), { organizationId: ctx.org.id, ...input });
    await recordAudit(db(), { organizationId: ctx.org.id, actorUserId: ctx.user.id, action: "bot.created", subjectType: "bot", subjectId: bot.id, data: input });
    revalidatePath("/bots");
    return { id: bot.id };
  },
  { role: "admin" },
);

export const updateFreeReserveAction = orgAction(
  z.object({
    botId: z.uuid(),
    perPeriod: z.string().trim().regex(/^\d+(\.\d{1,6})?$/, "Enter credits, e.g. 25 or 2.5 (at most 6 decimals)"),
    answersPerVisitorPerDay: z.coerce.number("Enter a whole number").int("Enter a whole number").min(0, "Cannot be negative").max(100_000),
  }),
  async (input, ctx) => {
    await updateFreeReserve(db(), {
      organizationId: ctx.org.id,
      botId: input.botId,
      perPeriod: Credits.parse(input.perPeriod, "perPeriod"),
      answersPerVisitorPerDay: input.answersPerVisitorPerDay,
    });
    await recordAudit(db(), { organizationId: ctx.org.id, actorUserId: ctx.user.id, action: "bot.free_reserve_updated", subjectType: "bot", subjectId: input.botId, data: input });
    revalidatePath("/bots");
    return undefined;
  },
  { role: "admin" },
);
