-- Debits update batches.remaining/held constantly. batches_expiry_idx had the predicate
-- `remaining > held`, which made every one of those updates a non-HOT update: a new entry in every
-- index of batches per debit flush, and dead entries the next flush's scan had to step over.
-- The expiry job now marks what it processed (expired_at) and its index mentions only expiry columns.
DROP INDEX "batches_expiry_idx";--> statement-breakpoint
ALTER TABLE "batches" ADD COLUMN "expired_at" timestamp with time zone;--> statement-breakpoint
-- Past-expiry batches with no unheld remainder were already processed by the job (or never had credits left).
UPDATE "batches" SET "expired_at" = now() WHERE "expires_at" <= now() AND "remaining" <= "held";--> statement-breakpoint
CREATE INDEX "batches_expiry_due_idx" ON "batches" USING btree ("expires_at") WHERE expires_at is not null and expired_at is null;--> statement-breakpoint
-- Room on each page for the new row versions of HOT updates (pages written from now on; existing full
-- pages get it when the table is rewritten, e.g. VACUUM FULL in a maintenance window). The statements
-- above lock batches while they run: on a large table, deploy this in a quiet minute.
ALTER TABLE "batches" SET (fillfactor = 80);
