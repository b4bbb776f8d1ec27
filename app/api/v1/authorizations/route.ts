import { parseBody, v1Route } from "@/lib/api/v1/handler";
import { authorizationRequest } from "@/lib/api/v1/schemas";
import { Credits } from "@/lib/ledger/credits";
import { authorize } from "@/lib/metering/authorize";

export const POST = v1Route({ write: true }, async ({ principal, body, db }) => {
  const input = parseBody(authorizationRequest, body);
  const now = new Date();
  const hold = await authorize(
    db,
    {
      organizationId: principal.organizationId,
      botId: input.bot_id,
      actor: input.actor,
      endUserExternalId: input.end_user_id,
      amount: Credits.parse(input.amount, "amount"),
      expiresAt: input.expires_in_seconds ? new Date(now.getTime() + input.expires_in_seconds * 1000) : undefined,
    },
    now,
  );
  return { status: 201, body: { id: hold.id, status: hold.status, amount: Credits.format(hold.amount), expires_at: hold.expiresAt.toISOString(), pool: hold.pool } };
});
