import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  check,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { bots, endUsers, organizations } from "./organizations";

/**
 * The credit ledger (SPEC §2–§5, §13). Amounts are bigint micro-credits (1 credit = 1_000_000 µc).
 *
 * Only lib/ledger writes these tables. The hot write path lives in plpgsql functions (see the custom
 * migration `ledger_functions`): `ledger_apply_debits` (debits + holds, set-based, one call per group
 * commit flush) and `ledger_resolve_holds` (captures, releases, hold expiry).
 *
 * The append-only, high-volume tables (ledger_entries, usage_events, usage_allocations, hold_earmarks)
 * deliberately carry no foreign keys: an RI trigger per inserted row would cost more than the rest of the
 * hot path together. Their references are checked by `verifyLedger` ("no orphan entries", SPEC §13).
 */

export const accountKind = pgEnum("account_kind", ["organization", "end_user"]);
export const batchType = pgEnum("batch_type", ["free", "paid"]);
export const batchSource = pgEnum("batch_source", [
  "signup_bonus",
  "plan",
  "top_up",
  "auto_recharge",
  "pack",
  "pack_bonus",
  "end_user_plan",
  "assignment",
  "promo",
  "adjustment",
]);
export const ledgerEntryKind = pgEnum("ledger_entry_kind", [
  "grant",
  "consume",
  "expire",
  "void",
  "transfer_out",
  "transfer_in",
  "reversal",
  "hold",
  "release",
]);
export const holdStatus = pgEnum("hold_status", ["open", "captured", "released", "expired"]);
export const usageActor = pgEnum("usage_actor", ["operator", "free_visitor", "paying_visitor", "system"]);
export const usageCategory = pgEnum("usage_category", ["llm", "web_search", "speech_to_text", "code_artifact", "training"]);
export const usagePool = pgEnum("usage_pool", ["owner", "free_reserve", "end_user"]);

const µc = (name: string) => bigint(name, { mode: "bigint" });
const ts = (name: string) => timestamp(name, { withTimezone: true });

/** What holds credits: an organization's pool, or one end user's credits in one bot. */
export const accounts = pgTable(
  "accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    kind: accountKind("kind").notNull(),
    botId: uuid("bot_id").references(() => bots.id, { onDelete: "restrict" }),
    endUserId: uuid("end_user_id").references(() => endUsers.id, { onDelete: "restrict" }),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("accounts_org_pool_unique").on(t.organizationId).where(sql`kind = 'organization'`),
    uniqueIndex("accounts_end_user_unique").on(t.botId, t.endUserId).where(sql`kind = 'end_user'`),
    check(
      "accounts_kind_shape",
      sql`(kind = 'organization' and bot_id is null and end_user_id is null) or (kind = 'end_user' and bot_id is not null and end_user_id is not null)`,
    ),
  ],
);

/** One addition of credits to an account (a "grant"). `held` = Σ earmarks of open holds on it. */
export const batches = pgTable(
  "batches",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Insertion order; the last tie-breaker of the consumption order ("oldest first"). */
    seq: bigserial("seq", { mode: "bigint" }).notNull(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "restrict" }),
    type: batchType("type").notNull(),
    source: batchSource("source").notNull(),
    amount: µc("amount").notNull(),
    remaining: µc("remaining").notNull(),
    held: µc("held").notNull().default(sql`0`),
    addedAt: ts("added_at").notNull().defaultNow(),
    expiresAt: ts("expires_at"),
    /** Explicit priority (lower first); a batch with a priority is spent before every batch without. */
    priority: integer("priority"),
    /** e.g. a Stripe checkout session id: a purchase grants once per (account, source, external_ref). */
    externalRef: text("external_ref"),
    /** For transfer_in batches: the batch the credits came from. */
    originBatchId: uuid("origin_batch_id"),
    /** Set by voidBatchRemainder (refund/dispute): the batch is no longer spendable. */
    voidedAt: ts("voided_at"),
    /**
     * Set by the expiry job once it has expired the batch's unheld remainder (or found none): the batch
     * leaves the job's index. From then on remaining = held (a later release expires what it frees).
     */
    expiredAt: ts("expired_at"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    // No index may mention `remaining` or `held` (not even in a predicate): every debit updates them, and
    // only an update that touches no indexed column is a HOT update (no new index entries, no dead ones
    // for the next debit's batch scan to step over).
    index("batches_account_idx").on(t.accountId),
    // The expiry job's work list: batches with an expiry it has not processed yet.
    index("batches_expiry_due_idx").on(t.expiresAt).where(sql`expires_at is not null and expired_at is null`),
    uniqueIndex("batches_external_ref_unique").on(t.accountId, t.source, t.externalRef).where(sql`external_ref is not null`),
    check("batches_amount_positive", sql`amount > 0`),
    check("batches_remaining_bounds", sql`remaining >= 0 and remaining <= amount`),
    check("batches_held_bounds", sql`held >= 0 and held <= remaining`),
  ],
);

/**
 * Immutable journal (updates and deletes are refused by a trigger). Every change of a batch's
 * `remaining` is one entry (remaining_delta ≠ 0) and every change of what holds earmark on it is one
 * entry (held_delta ≠ 0). A consume from a hold's earmark carries both.
 */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    accountId: uuid("account_id").notNull(),
    batchId: uuid("batch_id").notNull(),
    kind: ledgerEntryKind("kind").notNull(),
    remainingDelta: µc("remaining_delta").notNull().default(sql`0`),
    heldDelta: µc("held_delta").notNull().default(sql`0`),
    usageEventId: uuid("usage_event_id"),
    holdId: uuid("hold_id"),
    /** Groups the transfer_out and transfer_in entries of one transfer. */
    transferId: uuid("transfer_id"),
    /** For reversal entries: the entry corrected. */
    reversesEntryId: bigint("reverses_entry_id", { mode: "bigint" }),
    note: text("note"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("ledger_entries_batch_idx").on(t.batchId),
    index("ledger_entries_account_created_idx").on(t.accountId, t.createdAt),
    index("ledger_entries_event_idx").on(t.usageEventId).where(sql`usage_event_id is not null`),
    index("ledger_entries_hold_idx").on(t.holdId).where(sql`hold_id is not null`),
    index("ledger_entries_transfer_idx").on(t.transferId).where(sql`transfer_id is not null`),
  ],
);

export const holds = pgTable(
  "holds",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "restrict" }),
    organizationId: uuid("organization_id").notNull(),
    amount: µc("amount").notNull(),
    status: holdStatus("status").notNull().default("open"),
    expiresAt: ts("expires_at").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    resolvedAt: ts("resolved_at"),
    captured: µc("captured"),
    released: µc("released"),
    uncollected: µc("uncollected"),
    usageEventId: uuid("usage_event_id"),
    /** Usage-event metadata given at authorization (bot, end user, actor, pool, category, …). */
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index("holds_account_idx").on(t.accountId),
    index("holds_open_expiry_idx").on(t.expiresAt).where(sql`status = 'open'`),
    check("holds_amount_positive", sql`amount > 0`),
  ],
);

/** Per-batch earmarks of a hold, in consumption order (`position`). */
export const holdEarmarks = pgTable(
  "hold_earmarks",
  {
    holdId: uuid("hold_id").notNull(),
    batchId: uuid("batch_id").notNull(),
    position: smallint("position").notNull(),
    amount: µc("amount").notNull(),
  },
  (t) => [primaryKey({ columns: [t.holdId, t.batchId] }), check("hold_earmarks_amount_positive", sql`amount > 0`)],
);

/** One charged action. cost = what was asked; charged = what batches paid; uncollected = cost − charged. */
export const usageEvents = pgTable(
  "usage_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id").notNull(),
    accountId: uuid("account_id").notNull(),
    botId: uuid("bot_id"),
    endUserId: uuid("end_user_id"),
    actor: usageActor("actor").notNull(),
    category: usageCategory("category"),
    quantities: jsonb("quantities").$type<Record<string, unknown>>().notNull().default({}),
    cost: µc("cost").notNull(),
    charged: µc("charged").notNull(),
    uncollected: µc("uncollected").notNull().default(sql`0`),
    pool: usagePool("pool").notNull(),
    occurredAt: ts("occurred_at").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    holdId: uuid("hold_id"),
    rateCardVersion: integer("rate_card_version"),
    description: text("description"),
  },
  (t) => [
    index("usage_events_org_occurred_idx").on(t.organizationId, t.occurredAt),
    index("usage_events_account_occurred_idx").on(t.accountId, t.occurredAt),
    index("usage_events_bot_occurred_idx").on(t.botId, t.occurredAt).where(sql`bot_id is not null`),
    check("usage_events_amounts", sql`cost >= 0 and charged >= 0 and uncollected >= 0 and charged + uncollected = cost`),
  ],
);

/** Which batch paid how much of a usage event. */
export const usageAllocations = pgTable(
  "usage_allocations",
  {
    usageEventId: uuid("usage_event_id").notNull(),
    batchId: uuid("batch_id").notNull(),
    amount: µc("amount").notNull(),
  },
  (t) => [primaryKey({ columns: [t.usageEventId, t.batchId] }), check("usage_allocations_amount_positive", sql`amount > 0`)],
);

/**
 * Daily rollup of usage_events, upserted in the same transaction as the events (one upsert per group
 * per flush). `day` is the UTC date of occurred_at. Reports read this instead of scanning events.
 */
export const usageDaily = pgTable(
  "usage_daily",
  {
    organizationId: uuid("organization_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    botId: uuid("bot_id"),
    category: usageCategory("category"),
    pool: usagePool("pool").notNull(),
    actor: usageActor("actor").notNull(),
    cost: µc("cost").notNull(),
    charged: µc("charged").notNull(),
    uncollected: µc("uncollected").notNull(),
    events: bigint("events", { mode: "number" }).notNull(),
  },
  (t) => [
    unique("usage_daily_group_unique")
      .on(t.organizationId, t.day, t.botId, t.category, t.pool, t.actor)
      .nullsNotDistinct(),
  ],
);

/** Idempotency keys of writes: same (scope, key) + same request hash → the stored response. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    response: jsonb("response"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);
