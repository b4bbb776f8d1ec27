import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { users } from "@/db/schema";
import { isLoginLocked, normalizeEmail, recordLoginAttempt } from "./login-rate-limit";
import { verifyPassword } from "./password";

export const credentialsSchema = z.object({
  email: z.email().max(320),
  password: z.string().min(1).max(200),
});

export type CredentialsResult =
  | { ok: true; user: { id: string; email: string; name: string; isPlatformAdmin: boolean } }
  | { ok: false; reason: "invalid" | "rate_limited" };

// Compared against when the email is unknown, so a miss costs as long as a hit (no user enumeration by timing).
const DUMMY_HASH = "$2b$10$MabCRA9tfYztkiykhckLJ.RQ1oYvkNSAE6re8aZIoRoE8HSZ1oBze";

export async function verifyCredentials(db: DbOrTx, input: unknown, ip: string): Promise<CredentialsResult> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const email = normalizeEmail(parsed.data.email);
  if (await isLoginLocked(db, email, ip)) return { ok: false, reason: "rate_limited" };

  const [user] = await db.select().from(users).where(eq(sql`lower(${users.email})`, email)).limit(1);
  const valid = await verifyPassword(parsed.data.password, user?.passwordHash ?? DUMMY_HASH);
  await recordLoginAttempt(db, email, ip, Boolean(user && valid));
  if (!user || !valid) return { ok: false, reason: "invalid" };
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, isPlatformAdmin: user.isPlatformAdmin } };
}
