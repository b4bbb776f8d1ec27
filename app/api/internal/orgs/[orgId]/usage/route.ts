import { NextResponse } from "next/server";
import { db } from "@/db/client";
import { withOrgRoute } from "@/lib/api/with-session";
import { InvalidInputError } from "@/lib/errors";
import { parseRange } from "@/lib/reports/arithmetic";
import { getSubAccountReport, getUsageReport } from "@/lib/reports/usage-report";

/**
 * Usage & Reports for ?days=7|30|90 or ?from=YYYY-MM-DD&to=YYYY-MM-DD (read from the daily rollup).
 * &split=sub_account: the agency's split by sub-account instead (an agency admin only; anyone else → 400).
 */
export const GET = withOrgRoute(async (request, ctx) => {
  const p = request.nextUrl.searchParams;
  const range = parseRange({ days: p.get("days"), from: p.get("from"), to: p.get("to") }, new Date());
  const split = p.get("split");
  const headers = { "cache-control": "private, no-store" };
  if (split === "sub_account") return NextResponse.json(await getSubAccountReport(db(), { userId: ctx.user.id, orgId: ctx.org.id }, range), { headers });
  if (split) throw new InvalidInputError("split", "split must be sub_account or absent");
  return NextResponse.json(await getUsageReport(db(), ctx.org.id, range), { headers });
});
