import { z } from "zod";
import { ConflictError, DomainError } from "@/lib/errors";
import { requireOrgAccess, type OrgContext } from "./context";
import type { Role } from "./org-access";

export type ActionResult<T = undefined> =
  | { ok: true; data: T; message?: string }
  | { ok: false; error: string; fieldErrors?: Record<string, string> };

/**
 * The form field (or key of an object input) naming the organization a form was rendered for. The
 * switcher's cookie names the org of the LAST page opened, so with two tabs on two orgs it is the wrong
 * one for the older tab: every dashboard form carries this instead (useActionForm adds it from the
 * layout's CurrentOrgProvider; client components spell the literal, they cannot import this module).
 */
export const ACTION_ORG_FIELD = "_org";

/** Splits the org id a form carries from the fields its schema parses. */
function splitOrg(input: unknown): { orgId: string | undefined; raw: unknown } {
  const raw = input instanceof FormData ? Object.fromEntries(input.entries()) : input;
  if (!raw || typeof raw !== "object" || !(ACTION_ORG_FIELD in raw)) return { orgId: undefined, raw };
  const { [ACTION_ORG_FIELD]: orgId, ...rest } = raw as Record<string, unknown>;
  return { orgId: typeof orgId === "string" ? orgId : "", raw: rest };
}

/**
 * The chokepoint for server actions: authenticate, check membership and role in the organization the
 * form was rendered for (its `_org` field), parse the input with zod, run one domain call, and turn
 * errors into a result a form can show. An org the user may not see is refused as not found, whatever
 * the cookie says; a form without `_org` (a page rendered before it existed) is asked to reload rather
 * than guessed to mean the cookie's org.
 */
export function orgAction<S extends z.ZodType, T>(
  schema: S,
  handler: (input: z.infer<S>, ctx: OrgContext) => Promise<T>,
  options: { role?: Role } = {},
) {
  return async (input: unknown): Promise<ActionResult<T>> => {
    try {
      const { orgId, raw } = splitOrg(input);
      if (orgId === undefined) throw new ConflictError("organization_required", "This page is out of date: reload it and try again.");
      const ctx = await requireOrgAccess(orgId, { role: options.role });
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const fieldErrors: Record<string, string> = {};
        for (const issue of parsed.error.issues) fieldErrors[issue.path.join(".") || "form"] ??= issue.message;
        return { ok: false, error: "Please correct the highlighted fields.", fieldErrors };
      }
      return { ok: true, data: await handler(parsed.data, ctx) };
    } catch (error) {
      if (error instanceof DomainError) {
        const field = (error.details.errors as { field: string; message: string }[] | undefined)?.[0];
        return { ok: false, error: error.message, fieldErrors: field ? { [field.field]: field.message } : undefined };
      }
      // Next's redirect()/notFound() signal by throwing; let them through.
      if (error && typeof error === "object" && "digest" in error) throw error;
      console.error("unhandled error in server action", error);
      return { ok: false, error: "Something went wrong on our side. Please try again." };
    }
  };
}
