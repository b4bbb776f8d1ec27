import { NextResponse } from "next/server";
import { db } from "@/db/client";
import { withOrgRoute } from "@/lib/api/with-session";
import { getMyCredit } from "@/lib/reports/my-credit";

/** My Credit: balance, split, pools of this period, burn rate, runway, recent activity. */
export const GET = withOrgRoute(async (_request, ctx) =>
  NextResponse.json(await getMyCredit(db(), ctx.org.id), { headers: { "cache-control": "private, no-store" } }),
);
