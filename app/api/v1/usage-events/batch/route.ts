import { z } from "zod";
import { parseBody, v1Route } from "@/lib/api/v1/handler";
import { MAX_BATCH_EVENTS, usageEventBatchRequest, usageEventRequest } from "@/lib/api/v1/schemas";
import { chargeUsageEvent } from "@/lib/api/v1/usage-events";
import { fieldErrors } from "@/lib/api/problem";
import { DomainError } from "@/lib/errors";
import { PayloadTooLargeError } from "@/lib/api/v1/errors";
import { isTx } from "@/lib/ledger/internal";

async function sequentially<T, R>(items: T[], fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) out.push(await fn(items[i], i));
  return out;
}

/**
 * Up to 1000 events; each gets its own result, so one bad event does not sink the others. Events are
 * charged concurrently, which lets the ledger's group commit fold them into a few transactions.
 */
export const POST = v1Route({ write: true }, async ({ principal, body, db }) => {
  const { events } = parseBody(usageEventBatchRequest, body);
  if (events.length > MAX_BATCH_EVENTS) throw new PayloadTooLargeError(`A batch holds at most ${MAX_BATCH_EVENTS} events; this one has ${events.length}`);
  const now = new Date();
  const chargeOne = async (raw: unknown, index: number) => {
      const parsed = usageEventRequest.safeParse(raw);
      if (!parsed.success) {
        const errors = fieldErrors(parsed.error as z.ZodError);
        return { index, status: 400, error: { code: "validation_error", detail: errors.map((e) => `${e.field}: ${e.message}`).join("; "), errors } };
      }
      try {
        return { index, status: 201, result: await chargeUsageEvent(db, principal.organizationId, parsed.data, now) };
      } catch (error) {
        if (error instanceof DomainError) return { index, status: error.status, error: { code: error.code, detail: error.message } };
        throw error;
      }
  };
  // Inside an idempotent request everything shares one transaction (one connection): go one by one.
  const results = isTx(db) ? await sequentially(events, chargeOne) : await Promise.all(events.map(chargeOne));
  const succeeded = results.filter((r) => r.status === 201).length;
  return { status: 200, body: { data: results, succeeded, failed: results.length - succeeded } };
});
