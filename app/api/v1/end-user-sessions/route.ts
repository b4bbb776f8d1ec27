import { parseBody, v1Route } from "@/lib/api/v1/handler";
import { endUserSessionRequest } from "@/lib/api/v1/schemas";
import { createEndUserSessionLink, endUserLinkSecret } from "@/lib/billing/end-user-link";
import { appBaseUrl } from "@/lib/billing/urls";

/** A signed link (about an hour) to the end user's account page: remaining credits, batches, plan, buy more. */
export const POST = v1Route({ write: true }, async ({ principal, body, db }) => {
  const input = parseBody(endUserSessionRequest, body);
  const link = await createEndUserSessionLink(db, {
    organizationId: principal.organizationId,
    botId: input.bot_id,
    endUserExternalId: input.end_user_id,
    appUrl: await appBaseUrl(),
    secret: endUserLinkSecret(),
  });
  return { status: 201, body: { url: link.url, expires_at: link.expiresAt.toISOString() } };
});
