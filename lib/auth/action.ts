import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { requireOrgContext, type OrgContext } from "./context";
import type { Role } from "./org-access";

export type ActionResult<T = undefined> =
  | { ok: true; data: T; message?: string }
  | { ok: false; error: string; fieldErrors?: Record<string, string> };

/**
 * The chokepoint for server actions: authenticate, check membership and role in the current org,
 * parse the input with zod, run one domain call, and turn errors into a result a form can show.
 */
export function orgAction<S extends z.ZodType, T>(
  schema: S,
  handler: (input: z.infer<S>, ctx: OrgContext) => Promise<T>,
  options: { role?: Role } = {},
) {
  return async (input: unknown): Promise<ActionResult<T>> => {
    try {
      const ctx = await requireOrgContext(options);
      const raw = input instanceof FormData ? Object.fromEntries(input.entries()) : input;
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
