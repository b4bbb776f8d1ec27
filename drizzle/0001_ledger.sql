CREATE TYPE "public"."account_kind" AS ENUM('organization', 'end_user');--> statement-breakpoint
CREATE TYPE "public"."batch_source" AS ENUM('signup_bonus', 'plan', 'top_up', 'auto_recharge', 'pack', 'pack_bonus', 'end_user_plan', 'assignment', 'promo', 'adjustment');--> statement-breakpoint
CREATE TYPE "public"."batch_type" AS ENUM('free', 'paid');--> statement-breakpoint
CREATE TYPE "public"."hold_status" AS ENUM('open', 'captured', 'released', 'expired');--> statement-breakpoint
CREATE TYPE "public"."ledger_entry_kind" AS ENUM('grant', 'consume', 'expire', 'void', 'transfer_out', 'transfer_in', 'reversal', 'hold', 'release');--> statement-breakpoint
CREATE TYPE "public"."usage_actor" AS ENUM('operator', 'free_visitor', 'paying_visitor', 'system');--> statement-breakpoint
CREATE TYPE "public"."usage_category" AS ENUM('llm', 'web_search', 'speech_to_text', 'code_artifact', 'training');--> statement-breakpoint
CREATE TYPE "public"."usage_pool" AS ENUM('owner', 'free_reserve', 'end_user');--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"kind" "account_kind" NOT NULL,
	"bot_id" uuid,
	"end_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "accounts_kind_shape" CHECK ((kind = 'organization' and bot_id is null and end_user_id is null) or (kind = 'end_user' and bot_id is not null and end_user_id is not null))
);
--> statement-breakpoint
CREATE TABLE "batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"account_id" uuid NOT NULL,
	"type" "batch_type" NOT NULL,
	"source" "batch_source" NOT NULL,
	"amount" bigint NOT NULL,
	"remaining" bigint NOT NULL,
	"held" bigint DEFAULT 0 NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"priority" integer,
	"external_ref" text,
	"origin_batch_id" uuid,
	"voided_at" timestamp with time zone,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "batches_amount_positive" CHECK (amount > 0),
	CONSTRAINT "batches_remaining_bounds" CHECK (remaining >= 0 and remaining <= amount),
	CONSTRAINT "batches_held_bounds" CHECK (held >= 0 and held <= remaining)
);
--> statement-breakpoint
CREATE TABLE "hold_earmarks" (
	"hold_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"position" smallint NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "hold_earmarks_hold_id_batch_id_pk" PRIMARY KEY("hold_id","batch_id"),
	CONSTRAINT "hold_earmarks_amount_positive" CHECK (amount > 0)
);
--> statement-breakpoint
CREATE TABLE "holds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"amount" bigint NOT NULL,
	"status" "hold_status" DEFAULT 'open' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"captured" bigint,
	"released" bigint,
	"uncollected" bigint,
	"usage_event_id" uuid,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "holds_amount_positive" CHECK (amount > 0)
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"kind" "ledger_entry_kind" NOT NULL,
	"remaining_delta" bigint DEFAULT 0 NOT NULL,
	"held_delta" bigint DEFAULT 0 NOT NULL,
	"usage_event_id" uuid,
	"hold_id" uuid,
	"transfer_id" uuid,
	"reverses_entry_id" bigint,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_allocations" (
	"usage_event_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "usage_allocations_usage_event_id_batch_id_pk" PRIMARY KEY("usage_event_id","batch_id"),
	CONSTRAINT "usage_allocations_amount_positive" CHECK (amount > 0)
);
--> statement-breakpoint
CREATE TABLE "usage_daily" (
	"organization_id" uuid NOT NULL,
	"day" date NOT NULL,
	"bot_id" uuid,
	"category" "usage_category",
	"pool" "usage_pool" NOT NULL,
	"actor" "usage_actor" NOT NULL,
	"cost" bigint NOT NULL,
	"charged" bigint NOT NULL,
	"uncollected" bigint NOT NULL,
	"events" bigint NOT NULL,
	CONSTRAINT "usage_daily_group_unique" UNIQUE NULLS NOT DISTINCT("organization_id","day","bot_id","category","pool","actor")
);
--> statement-breakpoint
CREATE TABLE "usage_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"bot_id" uuid,
	"end_user_id" uuid,
	"actor" "usage_actor" NOT NULL,
	"category" "usage_category",
	"quantities" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"cost" bigint NOT NULL,
	"charged" bigint NOT NULL,
	"uncollected" bigint DEFAULT 0 NOT NULL,
	"pool" "usage_pool" NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"hold_id" uuid,
	"rate_card_version" integer,
	"description" text,
	CONSTRAINT "usage_events_amounts" CHECK (cost >= 0 and charged >= 0 and uncollected >= 0 and charged + uncollected = cost)
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_bot_id_bots_id_fk" FOREIGN KEY ("bot_id") REFERENCES "public"."bots"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_end_user_id_end_users_id_fk" FOREIGN KEY ("end_user_id") REFERENCES "public"."end_users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "batches" ADD CONSTRAINT "batches_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "holds" ADD CONSTRAINT "holds_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_org_pool_unique" ON "accounts" USING btree ("organization_id") WHERE kind = 'organization';--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_end_user_unique" ON "accounts" USING btree ("bot_id","end_user_id") WHERE kind = 'end_user';--> statement-breakpoint
CREATE INDEX "batches_account_idx" ON "batches" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "batches_expiry_idx" ON "batches" USING btree ("expires_at") WHERE remaining > held;--> statement-breakpoint
CREATE UNIQUE INDEX "batches_external_ref_unique" ON "batches" USING btree ("account_id","source","external_ref") WHERE external_ref is not null;--> statement-breakpoint
CREATE INDEX "holds_account_idx" ON "holds" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "holds_open_expiry_idx" ON "holds" USING btree ("expires_at") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "ledger_entries_batch_idx" ON "ledger_entries" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "ledger_entries_account_created_idx" ON "ledger_entries" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "ledger_entries_event_idx" ON "ledger_entries" USING btree ("usage_event_id") WHERE usage_event_id is not null;--> statement-breakpoint
CREATE INDEX "ledger_entries_hold_idx" ON "ledger_entries" USING btree ("hold_id") WHERE hold_id is not null;--> statement-breakpoint
CREATE INDEX "ledger_entries_transfer_idx" ON "ledger_entries" USING btree ("transfer_id") WHERE transfer_id is not null;--> statement-breakpoint
CREATE INDEX "usage_events_org_occurred_idx" ON "usage_events" USING btree ("organization_id","occurred_at");--> statement-breakpoint
CREATE INDEX "usage_events_account_occurred_idx" ON "usage_events" USING btree ("account_id","occurred_at");--> statement-breakpoint
CREATE INDEX "usage_events_bot_occurred_idx" ON "usage_events" USING btree ("bot_id","occurred_at") WHERE bot_id is not null;