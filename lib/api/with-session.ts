import type { NextRequest } from "next/server";
import { requireOrgAccess, type OrgContext } from "@/lib/auth/context";
import type { Role } from "@/lib/auth/org-access";
import { errorToResponse } from "./problem";

/**
 * The chokepoint for dashboard route handlers under /api/internal/orgs/[orgId]/…:
 * signed-in, may act in that organization (else 404), has the role; errors mapped in one place.
 */
export function withOrgRoute<P extends { orgId: string }>(
  handler: (request: NextRequest, ctx: OrgContext, params: P) => Promise<Response>,
  options: { role?: Role } = {},
) {
  return async (request: NextRequest, { params }: { params: Promise<P> }): Promise<Response> => {
    try {
      const resolved = await params;
      const ctx = await requireOrgAccess(resolved.orgId, options);
      return await handler(request, ctx, resolved);
    } catch (error) {
      return errorToResponse(error);
    }
  };
}
