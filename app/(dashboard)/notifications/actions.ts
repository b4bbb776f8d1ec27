"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { orgAction } from "@/lib/auth/action";
import { markRead } from "@/lib/notifications/notify";

export const markReadAction = orgAction(z.object({ ids: z.array(z.uuid()).max(500).optional() }), async ({ ids }, ctx) => {
  const count = await markRead(db(), ctx.org.id, ids);
  revalidatePath("/notifications");
  return { count };
});
