CREATE TYPE "public"."buyer_kind" AS ENUM('organization', 'end_user');--> statement-breakpoint
CREATE TYPE "public"."offer_status" AS ENUM('active', 'archived');--> statement-breakpoint
CREATE TYPE "public"."order_kind" AS ENUM('pack', 'plan', 'plan_renewal');--> statement-breakpoint
CREATE TYPE "public"."order_status" AS ENUM('pending', 'processing', 'paid', 'payment_failed', 'expired', 'refunded', 'disputed');--> statement-breakpoint
CREATE TYPE "public"."pack_audience" AS ENUM('platform_to_owner', 'org_to_end_user', 'agency_to_sub_account');--> statement-breakpoint
CREATE TYPE "public"."plan_interval" AS ENUM('day', 'week', 'month', 'year');--> statement-breakpoint
CREATE TABLE "billing_customers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"end_user_id" uuid,
	"stripe_customer_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit_packs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_organization_id" uuid,
	"audience" "pack_audience" NOT NULL,
	"bot_id" uuid,
	"name" text NOT NULL,
	"description" text,
	"price_minor" integer NOT NULL,
	"currency" text NOT NULL,
	"credits" bigint NOT NULL,
	"bonus_credits" bigint DEFAULT 0 NOT NULL,
	"bonus_expires_in_days" integer,
	"status" "offer_status" DEFAULT 'active' NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_packs_price_positive" CHECK (price_minor > 0),
	CONSTRAINT "credit_packs_credits_positive" CHECK (credits > 0),
	CONSTRAINT "credit_packs_bonus_shape" CHECK (bonus_credits >= 0 and (bonus_credits = 0 or bonus_expires_in_days > 0)),
	CONSTRAINT "credit_packs_audience_shape" CHECK ((audience = 'platform_to_owner' and owner_organization_id is null and bot_id is null)
       or (audience = 'org_to_end_user' and owner_organization_id is not null and bot_id is not null)
       or (audience = 'agency_to_sub_account' and owner_organization_id is not null and bot_id is null))
);
--> statement-breakpoint
CREATE TABLE "end_user_plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"bot_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"price_minor" integer NOT NULL,
	"currency" text NOT NULL,
	"interval" "plan_interval" DEFAULT 'month' NOT NULL,
	"credits_per_period" bigint NOT NULL,
	"rollover" boolean DEFAULT false NOT NULL,
	"status" "offer_status" DEFAULT 'active' NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "end_user_plans_price_positive" CHECK (price_minor > 0),
	CONSTRAINT "end_user_plans_credits_positive" CHECK (credits_per_period > 0)
);
--> statement-breakpoint
CREATE TABLE "end_user_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"bot_id" uuid NOT NULL,
	"end_user_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"plan_id" uuid NOT NULL,
	"credits_per_period" bigint NOT NULL,
	"rollover" boolean NOT NULL,
	"stripe_subscription_id" text NOT NULL,
	"stripe_customer_id" text NOT NULL,
	"status" text NOT NULL,
	"current_period_start" timestamp with time zone,
	"current_period_end" timestamp with time zone,
	"cancel_at_period_end" boolean DEFAULT false NOT NULL,
	"canceled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "order_kind" NOT NULL,
	"organization_id" uuid NOT NULL,
	"seller_organization_id" uuid,
	"buyer_kind" "buyer_kind" NOT NULL,
	"bot_id" uuid,
	"end_user_id" uuid,
	"account_id" uuid NOT NULL,
	"pack_id" uuid,
	"plan_id" uuid,
	"description" text NOT NULL,
	"amount_minor" integer NOT NULL,
	"currency" text NOT NULL,
	"credits" bigint NOT NULL,
	"bonus_credits" bigint DEFAULT 0 NOT NULL,
	"bonus_expires_in_days" integer,
	"status" "order_status" DEFAULT 'pending' NOT NULL,
	"stripe_checkout_session_id" text,
	"stripe_payment_intent_id" text,
	"stripe_invoice_id" text,
	"stripe_subscription_id" text,
	"stripe_customer_id" text,
	"granted_batch_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"paid_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_amount_nonnegative" CHECK (amount_minor >= 0),
	CONSTRAINT "orders_buyer_shape" CHECK ((buyer_kind = 'organization' and end_user_id is null) or (buyer_kind = 'end_user' and end_user_id is not null and bot_id is not null))
);
--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"processed_at" timestamp with time zone,
	"attempts" integer DEFAULT 1 NOT NULL,
	"last_error" text,
	"outcome" text,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "billing_customers" ADD CONSTRAINT "billing_customers_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_customers" ADD CONSTRAINT "billing_customers_end_user_id_end_users_id_fk" FOREIGN KEY ("end_user_id") REFERENCES "public"."end_users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_packs" ADD CONSTRAINT "credit_packs_owner_organization_id_organizations_id_fk" FOREIGN KEY ("owner_organization_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_packs" ADD CONSTRAINT "credit_packs_bot_id_bots_id_fk" FOREIGN KEY ("bot_id") REFERENCES "public"."bots"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "end_user_plans" ADD CONSTRAINT "end_user_plans_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "end_user_plans" ADD CONSTRAINT "end_user_plans_bot_id_bots_id_fk" FOREIGN KEY ("bot_id") REFERENCES "public"."bots"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "end_user_subscriptions" ADD CONSTRAINT "end_user_subscriptions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "end_user_subscriptions" ADD CONSTRAINT "end_user_subscriptions_bot_id_bots_id_fk" FOREIGN KEY ("bot_id") REFERENCES "public"."bots"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "end_user_subscriptions" ADD CONSTRAINT "end_user_subscriptions_end_user_id_end_users_id_fk" FOREIGN KEY ("end_user_id") REFERENCES "public"."end_users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "end_user_subscriptions" ADD CONSTRAINT "end_user_subscriptions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "end_user_subscriptions" ADD CONSTRAINT "end_user_subscriptions_plan_id_end_user_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."end_user_plans"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_seller_organization_id_organizations_id_fk" FOREIGN KEY ("seller_organization_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_bot_id_bots_id_fk" FOREIGN KEY ("bot_id") REFERENCES "public"."bots"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_end_user_id_end_users_id_fk" FOREIGN KEY ("end_user_id") REFERENCES "public"."end_users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_pack_id_credit_packs_id_fk" FOREIGN KEY ("pack_id") REFERENCES "public"."credit_packs"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_plan_id_end_user_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."end_user_plans"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "billing_customers_stripe_unique" ON "billing_customers" USING btree ("stripe_customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "billing_customers_org_unique" ON "billing_customers" USING btree ("organization_id") WHERE end_user_id is null;--> statement-breakpoint
CREATE UNIQUE INDEX "billing_customers_end_user_unique" ON "billing_customers" USING btree ("end_user_id") WHERE end_user_id is not null;--> statement-breakpoint
CREATE INDEX "credit_packs_seller_idx" ON "credit_packs" USING btree ("owner_organization_id","audience");--> statement-breakpoint
CREATE INDEX "credit_packs_bot_idx" ON "credit_packs" USING btree ("bot_id");--> statement-breakpoint
CREATE INDEX "end_user_plans_bot_idx" ON "end_user_plans" USING btree ("bot_id");--> statement-breakpoint
CREATE UNIQUE INDEX "end_user_subscriptions_stripe_unique" ON "end_user_subscriptions" USING btree ("stripe_subscription_id");--> statement-breakpoint
CREATE INDEX "end_user_subscriptions_end_user_idx" ON "end_user_subscriptions" USING btree ("end_user_id");--> statement-breakpoint
CREATE INDEX "orders_org_created_idx" ON "orders" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_end_user_idx" ON "orders" USING btree ("end_user_id") WHERE end_user_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "orders_checkout_session_unique" ON "orders" USING btree ("stripe_checkout_session_id") WHERE stripe_checkout_session_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "orders_invoice_unique" ON "orders" USING btree ("stripe_invoice_id") WHERE stripe_invoice_id is not null;--> statement-breakpoint
CREATE INDEX "orders_payment_intent_idx" ON "orders" USING btree ("stripe_payment_intent_id") WHERE stripe_payment_intent_id is not null;--> statement-breakpoint
CREATE INDEX "orders_subscription_idx" ON "orders" USING btree ("stripe_subscription_id") WHERE stripe_subscription_id is not null;