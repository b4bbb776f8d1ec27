import type { DbOrTx } from "@/db/client";
import { auditLog } from "@/db/schema";

/** Who did what to which thing; written by actions that change settings, keys, credits or members. */
export async function recordAudit(
  db: DbOrTx,
  entry: { organizationId: string | null; actorUserId: string | null; action: string; subjectType?: string; subjectId?: string; data?: Record<string, unknown> },
): Promise<void> {
  await db.insert(auditLog).values({
    organizationId: entry.organizationId,
    actorUserId: entry.actorUserId,
    action: entry.action,
    subjectType: entry.subjectType ?? null,
    subjectId: entry.subjectId ?? null,
    data: entry.data ?? {},
  });
}
