ALTER TYPE "public"."order_status" ADD VALUE 'partially_refunded';--> statement-breakpoint
ALTER TYPE "public"."recharge_status" ADD VALUE 'refunded';--> statement-breakpoint
ALTER TYPE "public"."recharge_status" ADD VALUE 'partially_refunded';--> statement-breakpoint
ALTER TYPE "public"."recharge_status" ADD VALUE 'disputed';