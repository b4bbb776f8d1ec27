import { NextResponse } from "next/server";
import { db } from "@/db/client";
import { withOrgRoute } from "@/lib/api/with-session";
import { listSubAccounts } from "@/lib/agency";

/** The agency's sub-accounts with balance, this month's usage, status, last activity (agency admins only; else 403). */
export const GET = withOrgRoute(async (_request, ctx) =>
  NextResponse.json(await listSubAccounts(db(), { userId: ctx.user.id, orgId: ctx.org.id }), { headers: { "cache-control": "private, no-store" } }),
);
