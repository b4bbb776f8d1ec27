import { and, count, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { emailOutbox, memberships, notifications, organizations, users } from "@/db/schema";

export type NotificationKind = (typeof notifications.$inferInsert)["kind"];

export interface NotifyInput {
  organizationId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  link?: string | null;
  /** Same (org, kind, dedupeKey) notifies once: use the period, e.g. `periodKey("hour")`. */
  dedupeKey: string;
  data?: Record<string, unknown>;
  /** Also email the organization's admins (and billing address), or these addresses. */
  email?: boolean | { to: string[]; links?: { label: string; url: string }[] };
}

/** Period keys for deduplication: one alert per day / per hour / per month. */
export function periodKey(period: "hour" | "day" | "month", now = new Date()): string {
  const iso = now.toISOString();
  return period === "hour" ? iso.slice(0, 13) : period === "day" ? iso.slice(0, 10) : iso.slice(0, 7);
}

async function recipients(db: DbOrTx, organizationId: string): Promise<string[]> {
  const admins = await db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.role, "admin")));
  const [org] = await db.select({ billingEmail: organizations.billingEmail }).from(organizations).where(eq(organizations.id, organizationId));
  return [...new Set([...(org?.billingEmail ? [org.billingEmail] : []), ...admins.map((a) => a.email)])];
}

/**
 * Records a notification once per dedupe key (a concurrent duplicate is a no-op) and queues its email.
 * Returns whether it was new. Call after the ledger change it reports has committed.
 */
export async function notify(db: DbOrTx, input: NotifyInput): Promise<boolean> {
  const inserted = await db
    .insert(notifications)
    .values({
      organizationId: input.organizationId,
      kind: input.kind,
      title: input.title,
      body: input.body,
      link: input.link ?? null,
      dedupeKey: input.dedupeKey,
      data: input.data ?? {},
    })
    .onConflictDoNothing()
    .returning({ id: notifications.id });
  if (inserted.length === 0) return false;
  if (input.email) {
    const to = typeof input.email === "object" ? input.email.to : await recipients(db, input.organizationId);
    const links = typeof input.email === "object" ? (input.email.links ?? []) : [];
    if (to.length > 0) await queueEmail(db, { organizationId: input.organizationId, to, subject: input.title, text: input.body, links: input.link ? [...links, { label: "Open Creditdesk", url: input.link }] : links });
  }
  return true;
}

export async function queueEmail(
  db: DbOrTx,
  input: { organizationId: string | null; to: string[]; subject: string; text: string; links?: { label: string; url: string }[] },
): Promise<void> {
  const smtp = Boolean(process.env.SMTP_URL);
  await db.insert(emailOutbox).values({
    organizationId: input.organizationId,
    to: input.to.join(", "),
    subject: input.subject,
    text: input.text,
    links: input.links ?? [],
    status: smtp ? "queued" : "outbox",
  });
}

export async function listNotifications(db: DbOrTx, organizationId: string, limit = 50) {
  return db.select().from(notifications).where(eq(notifications.organizationId, organizationId)).orderBy(desc(notifications.createdAt)).limit(limit);
}

export async function unreadCount(db: DbOrTx, organizationId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(notifications).where(and(eq(notifications.organizationId, organizationId), isNull(notifications.readAt)));
  return row.n;
}

/** Marks some (or all) of the organization's notifications read; ids of other organizations are ignored. */
export async function markRead(db: DbOrTx, organizationId: string, ids?: string[]): Promise<number> {
  const rows = await db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(and(eq(notifications.organizationId, organizationId), isNull(notifications.readAt), ids ? inArray(notifications.id, ids) : undefined))
    .returning({ id: notifications.id });
  return rows.length;
}

export async function listOutbox(db: DbOrTx, organizationId: string, limit = 50) {
  return db.select().from(emailOutbox).where(eq(emailOutbox.organizationId, organizationId)).orderBy(desc(emailOutbox.createdAt)).limit(limit);
}
