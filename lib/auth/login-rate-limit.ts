import { and, count, eq, gt } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { loginAttempts } from "@/db/schema";

/**
 * Sign-in throttling, kept in Postgres so every web instance sees the same counts.
 * Failures within the window count; a success does not reset the IP count (a sprayer that
 * knows one password must still be slowed down), but it does clear the email count.
 */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 30;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function isLoginLocked(db: DbOrTx, email: string, ip: string, now = new Date()): Promise<boolean> {
  const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const [byEmail] = await db
    .select({ n: count() })
    .from(loginAttempts)
    .where(and(eq(loginAttempts.email, normalizeEmail(email)), eq(loginAttempts.succeeded, false), gt(loginAttempts.attemptedAt, since)));
  if (byEmail.n >= MAX_FAILURES_PER_EMAIL) return true;
  const [byIp] = await db
    .select({ n: count() })
    .from(loginAttempts)
    .where(and(eq(loginAttempts.ip, ip), eq(loginAttempts.succeeded, false), gt(loginAttempts.attemptedAt, since)));
  return byIp.n >= MAX_FAILURES_PER_IP;
}

export async function recordLoginAttempt(db: DbOrTx, email: string, ip: string, succeeded: boolean): Promise<void> {
  const normalized = normalizeEmail(email);
  if (succeeded) {
    await db.delete(loginAttempts).where(and(eq(loginAttempts.email, normalized), eq(loginAttempts.succeeded, false)));
  }
  await db.insert(loginAttempts).values({ email: normalized, ip, succeeded });
}
