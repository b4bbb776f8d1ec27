import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organizations, users } from "./organizations";

const µc = (name: string) => bigint(name, { mode: "bigint" });

/**
 * Platform-wide settings the platform admin edits (one row, id = 1): auto-recharge minimums (seed 004:
 * 250 and 100 credits), the price of a recharged credit, and the failure policy.
 */
export const platformSettings = pgTable("platform_settings", {
  id: integer("id").primaryKey().default(1),
  minTopUpAmount: µc("min_top_up_amount").notNull().default(sql`250000000`),
  minRechargeAt: µc("min_recharge_at").notNull().default(sql`100000000`),
  creditPriceCents: integer("credit_price_cents").notNull().default(100),
  currency: text("currency").notNull().default("usd"),
  maxConsecutiveFailures: integer("max_consecutive_failures").notNull().default(3),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** An organization's auto-recharge (SPEC §7): when available < recharge_at, charge top_up_amount once. */
export const autoRechargeSettings = pgTable("auto_recharge_settings", {
  organizationId: uuid("organization_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  enabled: boolean("enabled").notNull().default(false),
  topUpAmount: µc("top_up_amount").notNull(),
  rechargeAt: µc("recharge_at").notNull(),
  /** Optional cap on what auto-recharge may charge per calendar month, in minor units of `currency`. */
  monthlyCeilingCents: integer("monthly_ceiling_cents"),
  paymentMethodId: text("payment_method_id"),
  cardBrand: text("card_brand"),
  cardLast4: text("card_last4"),
  cardExpMonth: integer("card_exp_month"),
  cardExpYear: integer("card_exp_year"),
  consecutiveFailures: integer("consecutive_failures").notNull().default(0),
  /** Why auto-recharge switched itself off (shown to the owner); null while on or turned off by hand. */
  disabledReason: text("disabled_reason"),
  updatedByUserId: uuid("updated_by_user_id").references(() => users.id, { onDelete: "set null" }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** After `succeeded`, a refund or dispute of its payment moves it on (its credits voided, in that share). */
export const rechargeStatus = pgEnum("recharge_status", ["pending", "retrying", "requires_action", "succeeded", "failed", "skipped", "refunded", "partially_refunded", "disputed"]);

/**
 * One recharge (one invoice, one charge of top_up_amount), with every attempt to pay it. The partial
 * unique index is the in-flight guard: at most one pending / retrying / requires_action per organization,
 * however many debits cross the threshold at once, on however many web instances.
 */
export const recharges = pgTable(
  "recharges",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    status: rechargeStatus("status").notNull().default("pending"),
    amount: µc("amount").notNull(),
    priceCents: integer("price_cents").notNull(),
    currency: text("currency").notNull(),
    trigger: text("trigger").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    stripeInvoiceId: text("stripe_invoice_id"),
    hostedInvoiceUrl: text("hosted_invoice_url"),
    invoicePdfUrl: text("invoice_pdf_url"),
    actionUrl: text("action_url"),
    failureReason: text("failure_reason"),
    batchId: uuid("batch_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("recharges_one_in_flight").on(t.organizationId).where(sql`status in ('pending', 'retrying', 'requires_action')`),
    index("recharges_org_created_idx").on(t.organizationId, t.createdAt),
    index("recharges_due_idx").on(t.nextAttemptAt).where(sql`status = 'retrying'`),
    uniqueIndex("recharges_invoice_unique").on(t.stripeInvoiceId),
  ],
);
