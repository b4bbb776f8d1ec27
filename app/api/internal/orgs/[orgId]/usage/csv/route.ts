import { db } from "@/db/client";
import { withOrgRoute } from "@/lib/api/with-session";
import { parseRange } from "@/lib/reports/arithmetic";
import { loadReportRows, toCsv } from "@/lib/reports/usage-report";

/** CSV export of the range: one line per day × bot × category × pool. */
export const GET = withOrgRoute(async (request, ctx) => {
  const p = request.nextUrl.searchParams;
  const range = parseRange({ days: p.get("days"), from: p.get("from"), to: p.get("to") }, new Date());
  const csv = toCsv(await loadReportRows(db(), ctx.org.id, range));
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="usage-${range.from}-to-${range.to}.csv"`,
      "cache-control": "private, no-store",
    },
  });
});
