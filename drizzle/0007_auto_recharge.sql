CREATE TYPE "public"."recharge_status" AS ENUM('pending', 'retrying', 'requires_action', 'succeeded', 'failed', 'skipped');--> statement-breakpoint
CREATE TABLE "auto_recharge_settings" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"top_up_amount" bigint NOT NULL,
	"recharge_at" bigint NOT NULL,
	"monthly_ceiling_cents" integer,
	"payment_method_id" text,
	"card_brand" text,
	"card_last4" text,
	"card_exp_month" integer,
	"card_exp_year" integer,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"disabled_reason" text,
	"updated_by_user_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "platform_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"min_top_up_amount" bigint DEFAULT 250000000 NOT NULL,
	"min_recharge_at" bigint DEFAULT 100000000 NOT NULL,
	"credit_price_cents" integer DEFAULT 100 NOT NULL,
	"currency" text DEFAULT 'usd' NOT NULL,
	"max_consecutive_failures" integer DEFAULT 3 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "recharges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"status" "recharge_status" DEFAULT 'pending' NOT NULL,
	"amount" bigint NOT NULL,
	"price_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"trigger" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"stripe_invoice_id" text,
	"hosted_invoice_url" text,
	"invoice_pdf_url" text,
	"action_url" text,
	"failure_reason" text,
	"batch_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "auto_recharge_settings" ADD CONSTRAINT "auto_recharge_settings_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auto_recharge_settings" ADD CONSTRAINT "auto_recharge_settings_updated_by_user_id_users_id_fk" FOREIGN KEY ("updated_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recharges" ADD CONSTRAINT "recharges_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "recharges_one_in_flight" ON "recharges" USING btree ("organization_id") WHERE status in ('pending', 'retrying', 'requires_action');--> statement-breakpoint
CREATE INDEX "recharges_org_created_idx" ON "recharges" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX "recharges_due_idx" ON "recharges" USING btree ("next_attempt_at") WHERE status = 'retrying';--> statement-breakpoint
CREATE UNIQUE INDEX "recharges_invoice_unique" ON "recharges" USING btree ("stripe_invoice_id");--> statement-breakpoint
INSERT INTO "platform_settings" ("id") VALUES (1) ON CONFLICT DO NOTHING;
