import { db } from "@/db/client";
import { withOrgRoute } from "@/lib/api/with-session";
import { InvalidInputError } from "@/lib/errors";
import { parseRange } from "@/lib/reports/arithmetic";
import { loadReportRows, loadSubAccountRows, requireSubAccountSplit, toCsv, toSubAccountCsv } from "@/lib/reports/usage-report";

/**
 * CSV export of the range: one line per day × bot × category × pool. With &split=sub_account (an agency
 * admin only; anyone else → 400) the agency's sub-accounts' lines, with a sub_account column.
 */
export const GET = withOrgRoute(async (request, ctx) => {
  const p = request.nextUrl.searchParams;
  const range = parseRange({ days: p.get("days"), from: p.get("from"), to: p.get("to") }, new Date());
  const split = p.get("split");
  let csv: string;
  let name = `usage-${range.from}-to-${range.to}.csv`;
  if (split === "sub_account") {
    const agency = await requireSubAccountSplit(db(), { userId: ctx.user.id, orgId: ctx.org.id });
    csv = toSubAccountCsv((await loadSubAccountRows(db(), agency.id, range)).rows);
    name = `usage-by-sub-account-${range.from}-to-${range.to}.csv`;
  } else if (split) {
    throw new InvalidInputError("split", "split must be sub_account or absent");
  } else {
    csv = toCsv(await loadReportRows(db(), ctx.org.id, range));
  }
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "private, no-store",
    },
  });
});
