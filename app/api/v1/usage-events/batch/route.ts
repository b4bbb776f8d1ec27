import { z } from "zod";
import { parseBody, v1Route } from "@/lib/api/v1/handler";
import { MAX_BATCH_EVENTS, usageEventBatchRequest, usageEventRequest } from "@/lib/api/v1/schemas";
import { batchEntry, chargeUsageEvents } from "@/lib/api/v1/usage-events";
import { fieldErrors } from "@/lib/api/problem";
import { PayloadTooLargeError } from "@/lib/api/v1/errors";

/**
 * Up to 1000 events; each gets its own result, so one bad event does not sink the others. The valid
 * ones are priced and routed one by one, then charged in a single ledger call.
 */
export const POST = v1Route({ write: true }, async ({ principal, body, db }) => {
  const { events } = parseBody(usageEventBatchRequest, body);
  if (events.length > MAX_BATCH_EVENTS) throw new PayloadTooLargeError(`A batch holds at most ${MAX_BATCH_EVENTS} events; this one has ${events.length}`);
  const parsed = events.map((raw) => usageEventRequest.safeParse(raw));
  const valid = parsed.flatMap((p, index) => (p.success ? [{ index, data: p.data }] : []));
  const charged = await chargeUsageEvents(db, principal.organizationId, valid.map((v) => v.data));
  const byIndex = new Map(valid.map((v, k) => [v.index, charged[k]]));
  const results = parsed.map((p, index) => {
    if (!p.success) {
      const errors = fieldErrors(p.error as z.ZodError);
      return { index, status: 400, error: { code: "validation_error", detail: errors.map((e) => `${e.field}: ${e.message}`).join("; "), errors } };
    }
    return batchEntry(index, byIndex.get(index)!);
  });
  const succeeded = results.filter((r) => r.status === 201).length;
  return { status: 200, body: { data: results, succeeded, failed: results.length - succeeded } };
});
