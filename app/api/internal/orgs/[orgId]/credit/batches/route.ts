import { NextResponse } from "next/server";
import { db } from "@/db/client";
import { withOrgRoute } from "@/lib/api/with-session";
import { getActiveBatches } from "@/lib/reports/my-credit";

/** Active Credits: every batch of the organization's pool, active ones in consumption order. */
export const GET = withOrgRoute(async (_request, ctx) =>
  NextResponse.json(await getActiveBatches(db(), ctx.org.id), { headers: { "cache-control": "private, no-store" } }),
);
