import { parseBody, v1Route } from "@/lib/api/v1/handler";
import { usageEventRequest } from "@/lib/api/v1/schemas";
import { chargeUsageEvent } from "@/lib/api/v1/usage-events";

export const POST = v1Route({ write: true }, async ({ principal, body, db }) => {
  const input = parseBody(usageEventRequest, body);
  return { status: 201, body: await chargeUsageEvent(db, principal.organizationId, input) };
});
