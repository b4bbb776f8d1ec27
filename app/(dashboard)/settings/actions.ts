"use server";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/db/client";
import { orgAction } from "@/lib/auth/action";
import { recordAudit } from "@/lib/audit";
import { createApiKey, revokeApiKey } from "@/lib/metering/api-keys";

export const createApiKeyAction = orgAction(
  z.object({ name: z.string().trim().min(1, "Give the key a name").max(80) }),
  async ({ name }, ctx) => {
    const key = await createApiKey(db(), { organizationId: ctx.org.id, name, createdByUserId: ctx.user.id });
    await recordAudit(db(), { organizationId: ctx.org.id, actorUserId: ctx.user.id, action: "api_key.created", subjectType: "api_key", subjectId: key.id, data: { name, prefix: key.prefix } });
    revalidatePath("/settings");
    return { plaintext: key.plaintext, prefix: key.prefix, name: key.name };
  },
  { role: "admin" },
);

export const revokeApiKeyAction = orgAction(
  z.object({ keyId: z.uuid() }),
  async ({ keyId }, ctx) => {
    await revokeApiKey(db(), ctx.org.id, keyId);
    await recordAudit(db(), { organizationId: ctx.org.id, actorUserId: ctx.user.id, action: "api_key.revoked", subjectType: "api_key", subjectId: keyId });
    revalidatePath("/settings");
    return undefined;
  },
  { role: "admin" },
);
