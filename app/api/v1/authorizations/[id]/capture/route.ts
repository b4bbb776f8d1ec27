import { parseBody, v1Route } from "@/lib/api/v1/handler";
import { captureRequest } from "@/lib/api/v1/schemas";
import { Credits } from "@/lib/ledger/credits";
import { captureAuthorization } from "@/lib/metering/holds";

export const POST = v1Route<{ id: string }>({ write: true }, async ({ principal, params, body, db }) => {
  const input = parseBody(captureRequest, body);
  const outcome = await captureAuthorization(db, principal.organizationId, params.id, "usage" in input ? { usage: input.usage } : { amount: Credits.parse(input.amount, "amount") });
  return {
    status: 200,
    body: {
      usage_event_id: outcome.usageEventId,
      charged: Credits.format(outcome.charged),
      released: Credits.format(outcome.released),
      uncollected: Credits.format(outcome.uncollected),
    },
  };
});
