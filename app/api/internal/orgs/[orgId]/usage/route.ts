import { NextResponse } from "next/server";
import { db } from "@/db/client";
import { withOrgRoute } from "@/lib/api/with-session";
import { parseRange } from "@/lib/reports/arithmetic";
import { getUsageReport } from "@/lib/reports/usage-report";

/** Usage & Reports for ?days=7|30|90 or ?from=YYYY-MM-DD&to=YYYY-MM-DD (read from the daily rollup). */
export const GET = withOrgRoute(async (request, ctx) => {
  const p = request.nextUrl.searchParams;
  const range = parseRange({ days: p.get("days"), from: p.get("from"), to: p.get("to") }, new Date());
  return NextResponse.json(await getUsageReport(db(), ctx.org.id, range), { headers: { "cache-control": "private, no-store" } });
});
