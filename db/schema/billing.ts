import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { accounts } from "./ledger";
import { bots, endUsers, organizations } from "./organizations";

/**
 * Purchases through Stripe Checkout (SPEC §6). Prices are integer minor units of `currency` (lower-case ISO,
 * as Stripe has it); credits are bigint micro-credits. Only lib/billing writes these tables.
 */

/** Who sells a pack to whom: the platform to owners, an org to its bot's end users, an agency to its sub-accounts. */
export const packAudience = pgEnum("pack_audience", ["platform_to_owner", "org_to_end_user", "agency_to_sub_account"]);
export const offerStatus = pgEnum("offer_status", ["active", "archived"]);
export const planInterval = pgEnum("plan_interval", ["day", "week", "month", "year"]);
export const orderKind = pgEnum("order_kind", ["pack", "plan", "plan_renewal"]);
export const buyerKind = pgEnum("buyer_kind", ["organization", "end_user"]);
export const orderStatus = pgEnum("order_status", [
  "pending", // checkout opened, nothing paid yet
  "processing", // async payment (bank transfer) under way
  "paid", // paid and credits granted
  "payment_failed", // last attempt declined (the Checkout Session may still be paid later)
  "expired", // the Checkout Session expired unpaid
  "refunded", // refunded; the unspent remainder was voided
  "disputed", // disputed; the unspent remainder was voided
  "partially_refunded", // part of the payment refunded; that share of the credits was voided
]);

const µc = (name: string) => bigint(name, { mode: "bigint" });
const ts = (name: string) => timestamp(name, { withTimezone: true });

/** One-time credit packs (Checkout mode=payment). */
export const creditPacks = pgTable(
  "credit_packs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The seller; null = the platform itself (audience platform_to_owner). */
    ownerOrganizationId: uuid("owner_organization_id").references(() => organizations.id, { onDelete: "restrict" }),
    audience: packAudience("audience").notNull(),
    /** For org_to_end_user: the bot whose end users may buy it. */
    botId: uuid("bot_id").references(() => bots.id, { onDelete: "restrict" }),
    name: text("name").notNull(),
    description: text("description"),
    priceMinor: integer("price_minor").notNull(),
    currency: text("currency").notNull(),
    credits: µc("credits").notNull(),
    /** Free bonus batch (source pack_bonus) with its own expiry; 0 = none. */
    bonusCredits: µc("bonus_credits").notNull().default(sql`0`),
    bonusExpiresInDays: integer("bonus_expires_in_days"),
    status: offerStatus("status").notNull().default("active"),
    sortOrder: integer("sort_order").notNull().default(0),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("credit_packs_seller_idx").on(t.ownerOrganizationId, t.audience),
    index("credit_packs_bot_idx").on(t.botId),
    check("credit_packs_price_positive", sql`price_minor > 0`),
    check("credit_packs_credits_positive", sql`credits > 0`),
    check("credit_packs_bonus_shape", sql`bonus_credits >= 0 and (bonus_credits = 0 or bonus_expires_in_days > 0)`),
    check(
      "credit_packs_audience_shape",
      sql`(audience = 'platform_to_owner' and owner_organization_id is null and bot_id is null)
       or (audience = 'org_to_end_user' and owner_organization_id is not null and bot_id is not null)
       or (audience = 'agency_to_sub_account' and owner_organization_id is not null and bot_id is null)`,
    ),
  ],
);

/** Recurring end-user plans of one bot (Checkout mode=subscription). */
export const endUserPlans = pgTable(
  "end_user_plans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    botId: uuid("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "restrict" }),
    name: text("name").notNull(),
    description: text("description"),
    priceMinor: integer("price_minor").notNull(),
    currency: text("currency").notNull(),
    interval: planInterval("interval").notNull().default("month"),
    creditsPerPeriod: µc("credits_per_period").notNull(),
    /** true: a period's credits stay until used; false: they expire at period end. */
    rollover: boolean("rollover").notNull().default(false),
    status: offerStatus("status").notNull().default("active"),
    sortOrder: integer("sort_order").notNull().default(0),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("end_user_plans_bot_idx").on(t.botId),
    check("end_user_plans_price_positive", sql`price_minor > 0`),
    check("end_user_plans_credits_positive", sql`credits_per_period > 0`),
  ],
);

/** The Stripe customer of an organization (end_user_id null) or of one end user of a bot. */
export const billingCustomers = pgTable(
  "billing_customers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    endUserId: uuid("end_user_id").references(() => endUsers.id, { onDelete: "restrict" }),
    stripeCustomerId: text("stripe_customer_id").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("billing_customers_stripe_unique").on(t.stripeCustomerId),
    uniqueIndex("billing_customers_org_unique").on(t.organizationId).where(sql`end_user_id is null`),
    uniqueIndex("billing_customers_end_user_unique").on(t.endUserId).where(sql`end_user_id is not null`),
  ],
);

/**
 * One purchase: a Checkout Session (pack or first plan period) or a renewal invoice of a plan.
 * `organizationId` is the organization whose Orders list shows it: the buyer for owner purchases, the bot's
 * organization for end-user purchases. Terms (credits, bonus) are copied at checkout so later edits of the
 * pack do not change what a paid order grants.
 */
export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: orderKind("kind").notNull(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    /** The seller; null = the platform. */
    sellerOrganizationId: uuid("seller_organization_id").references(() => organizations.id, { onDelete: "restrict" }),
    buyerKind: buyerKind("buyer_kind").notNull(),
    botId: uuid("bot_id").references(() => bots.id, { onDelete: "restrict" }),
    endUserId: uuid("end_user_id").references(() => endUsers.id, { onDelete: "restrict" }),
    /** The ledger account the credits go to. */
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "restrict" }),
    packId: uuid("pack_id").references(() => creditPacks.id, { onDelete: "restrict" }),
    planId: uuid("plan_id").references(() => endUserPlans.id, { onDelete: "restrict" }),
    description: text("description").notNull(),
    amountMinor: integer("amount_minor").notNull(),
    currency: text("currency").notNull(),
    credits: µc("credits").notNull(),
    bonusCredits: µc("bonus_credits").notNull().default(sql`0`),
    bonusExpiresInDays: integer("bonus_expires_in_days"),
    status: orderStatus("status").notNull().default("pending"),
    stripeCheckoutSessionId: text("stripe_checkout_session_id"),
    stripePaymentIntentId: text("stripe_payment_intent_id"),
    stripeInvoiceId: text("stripe_invoice_id"),
    stripeSubscriptionId: text("stripe_subscription_id"),
    stripeCustomerId: text("stripe_customer_id"),
    /** Ledger batches this order granted (paid batch first, then the bonus). */
    grantedBatchIds: uuid("granted_batch_ids").array().notNull().default(sql`'{}'::uuid[]`),
    lastError: text("last_error"),
    createdAt: ts("created_at").notNull().defaultNow(),
    paidAt: ts("paid_at"),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("orders_org_created_idx").on(t.organizationId, t.createdAt),
    index("orders_end_user_idx").on(t.endUserId).where(sql`end_user_id is not null`),
    uniqueIndex("orders_checkout_session_unique").on(t.stripeCheckoutSessionId).where(sql`stripe_checkout_session_id is not null`),
    uniqueIndex("orders_invoice_unique").on(t.stripeInvoiceId).where(sql`stripe_invoice_id is not null`),
    index("orders_payment_intent_idx").on(t.stripePaymentIntentId).where(sql`stripe_payment_intent_id is not null`),
    index("orders_subscription_idx").on(t.stripeSubscriptionId).where(sql`stripe_subscription_id is not null`),
    check("orders_amount_nonnegative", sql`amount_minor >= 0`),
    check(
      "orders_buyer_shape",
      sql`(buyer_kind = 'organization' and end_user_id is null) or (buyer_kind = 'end_user' and end_user_id is not null and bot_id is not null)`,
    ),
  ],
);

/** An end user's subscription to a plan, mirrored from Stripe; terms copied at checkout. */
export const endUserSubscriptions = pgTable(
  "end_user_subscriptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    botId: uuid("bot_id")
      .notNull()
      .references(() => bots.id, { onDelete: "restrict" }),
    endUserId: uuid("end_user_id")
      .notNull()
      .references(() => endUsers.id, { onDelete: "restrict" }),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "restrict" }),
    planId: uuid("plan_id")
      .notNull()
      .references(() => endUserPlans.id, { onDelete: "restrict" }),
    creditsPerPeriod: µc("credits_per_period").notNull(),
    rollover: boolean("rollover").notNull(),
    stripeSubscriptionId: text("stripe_subscription_id").notNull(),
    stripeCustomerId: text("stripe_customer_id").notNull(),
    /** Stripe's status: active, past_due, canceled, incomplete, … */
    status: text("status").notNull(),
    currentPeriodStart: ts("current_period_start"),
    currentPeriodEnd: ts("current_period_end"),
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
    canceledAt: ts("canceled_at"),
    /**
     * Whether we have paused its collection at Stripe (`pause_collection: void`) because the seller's
     * organization is suspended (lib/billing/pause-subscriptions.ts): what Stripe was last told, so a
     * subscription whose flag disagrees with its organization's status is still to do.
     */
    collectionPaused: boolean("collection_paused").notNull().default(false),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("end_user_subscriptions_stripe_unique").on(t.stripeSubscriptionId),
    index("end_user_subscriptions_end_user_idx").on(t.endUserId),
  ],
);

/** Every Stripe event received (verified), once: the id is the primary key. */
export const stripeEvents = pgTable("stripe_events", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  /** Null while (or if) its handler has not finished; a retry of the event runs the handler again. */
  processedAt: ts("processed_at"),
  attempts: integer("attempts").notNull().default(1),
  lastError: text("last_error"),
  /** What the handler did ("granted", "noop: unknown type", …). */
  outcome: text("outcome"),
  payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
  receivedAt: ts("received_at").notNull().defaultNow(),
});
