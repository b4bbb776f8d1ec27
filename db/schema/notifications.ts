import { index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

export const notificationKind = pgEnum("notification_kind", [
  "low_balance",
  "out_of_credits",
  "recharge_succeeded",
  "recharge_failed",
  "recharge_requires_action",
  "recharge_disabled",
  "spending_ceiling_reached",
  "batch_expiring",
  "sub_account_out_of_credits",
]);

export const emailStatus = pgEnum("email_status", ["queued", "sent", "failed", "outbox"]);

/**
 * The in-app notification centre (SPEC §9). `dedupe_key` makes each kind fire once per period
 * (e.g. "2026-11-21" for daily, "2026-11-21T13" for hourly alerts).
 */
export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    kind: notificationKind("kind").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    link: text("link"),
    dedupeKey: text("dedupe_key").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp("read_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("notifications_dedupe_unique").on(t.organizationId, t.kind, t.dedupeKey),
    index("notifications_org_created_idx").on(t.organizationId, t.createdAt),
  ],
);

/**
 * Every email the app sends. With SMTP configured a job delivers `queued` mail; without it mail stays
 * in the outbox (status `outbox`), visible in the app, so nothing is silently dropped.
 */
export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id").references(() => organizations.id, { onDelete: "cascade" }),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    /** Links (e.g. invoice PDF) shown with the mail; attachments are fetched at send time. */
    links: jsonb("links").$type<{ label: string; url: string }[]>().notNull().default([]),
    status: emailStatus("status").notNull(),
    attempts: text("attempts"),
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [index("email_outbox_status_idx").on(t.status, t.createdAt), index("email_outbox_org_idx").on(t.organizationId, t.createdAt)],
);
