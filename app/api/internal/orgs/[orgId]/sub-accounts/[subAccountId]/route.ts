import { NextResponse } from "next/server";
import { db } from "@/db/client";
import { withOrgRoute } from "@/lib/api/with-session";
import { getSubAccount } from "@/lib/agency";

/** One sub-account's drill-down: another agency's (or a sibling's, for a sub-account user) → 404 / 403. */
export const GET = withOrgRoute<{ orgId: string; subAccountId: string }>(async (_request, ctx, params) =>
  NextResponse.json(await getSubAccount(db(), { userId: ctx.user.id, orgId: ctx.org.id }, params.subAccountId), {
    headers: { "cache-control": "private, no-store" },
  }),
);
