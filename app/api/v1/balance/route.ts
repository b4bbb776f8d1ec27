import { v1Route } from "@/lib/api/v1/handler";
import { balanceQuery } from "@/lib/api/v1/schemas";
import { presentBalance } from "@/lib/api/v1/present";
import { balanceFor } from "@/lib/metering/balance";

export const GET = v1Route({ write: false }, async ({ principal, request, db }) => {
  const query = balanceQuery.safeParse(Object.fromEntries(request.nextUrl.searchParams));
  if (!query.success) throw query.error;
  const balance = await balanceFor(db, { organizationId: principal.organizationId, botId: query.data.bot_id, endUserExternalId: query.data.end_user_id });
  return { status: 200, body: presentBalance(balance) };
});
