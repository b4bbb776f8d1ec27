import { NextResponse } from "next/server";
import { withOrgRoute } from "@/lib/api/with-session";

/** The current caller's view of one organization; another org's id is a 404. */
export const GET = withOrgRoute(async (_request, ctx) =>
  NextResponse.json({ id: ctx.org.id, name: ctx.org.name, kind: ctx.org.kind, parent_id: ctx.org.parentId, role: ctx.role }),
);
