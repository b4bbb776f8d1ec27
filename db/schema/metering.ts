import { sql } from "drizzle-orm";
import { bigint, date, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { bots, endUsers, organizations, users } from "./organizations";

/** Keys the bot runtime authenticates with; only a SHA-256 of the secret is stored, the prefix stays visible. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("api_keys_hash_unique").on(t.keyHash), index("api_keys_org_idx").on(t.organizationId)],
);

/**
 * Versioned prices (SPEC §2): a new version is a new row, never an edit; an event is priced with the
 * version in force at its occurred_at. `prices` is validated by lib/metering/rate-card.ts.
 */
export const rateCards = pgTable(
  "rate_cards",
  {
    version: serial("version").primaryKey(),
    effectiveFrom: timestamp("effective_from", { withTimezone: true }).notNull(),
    prices: jsonb("prices").notNull(),
    note: text("note"),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("rate_cards_effective_unique").on(t.effectiveFrom)],
);

/** What a bot's free reserve has used this period (calendar month, UTC). */
export const freeReserveUsage = pgTable(
  "free_reserve_usage",
  {
    botId: uuid("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    periodStart: date("period_start").notNull(),
    used: bigint("used", { mode: "bigint" }).notNull().default(sql`0`),
    answers: integer("answers").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.botId, t.periodStart] })],
);

/** Free answers per visitor per UTC day. */
export const freeVisitorDaily = pgTable(
  "free_visitor_daily",
  {
    botId: uuid("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "cascade" }),
    endUserId: uuid("end_user_id")
      .notNull()
      .references(() => endUsers.id, { onDelete: "cascade" }),
    day: date("day").notNull(),
    answers: integer("answers").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.botId, t.endUserId, t.day] })],
);
