import { NextResponse } from "next/server";
import { db } from "@/db/client";
import { withOrgRoute } from "@/lib/api/with-session";
import { getCalculatorDefaults } from "@/lib/reports/calculator";

/** The calculator's prefill: this organization's last-30-day averages per bot type and category. */
export const GET = withOrgRoute(async (_request, ctx) =>
  NextResponse.json(await getCalculatorDefaults(db(), ctx.org.id), { headers: { "cache-control": "private, no-store" } }),
);
