import { z } from "zod";
import { DomainError } from "@/lib/errors";

/**
 * The one place errors become HTTP: RFC 9457 application/problem+json with a stable `code`.
 * Unexpected errors are logged server-side and answered with a generic 500 that leaks nothing.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function problemBody(status: number, code: string, detail?: string, extra: Record<string, unknown> = {}): Problem {
  // Extras (a domain error's details) come first so they can never overwrite the RFC 9457 members.
  return { ...extra, type: `https://creditdesk.dev/problems/${code}`, title: TITLES[status] ?? "Error", status, code, detail };
}

export function problem(status: number, code: string, detail?: string, extra: Record<string, unknown> = {}, headers?: HeadersInit) {
  return problemResponse(problemBody(status, code, detail, extra), headers);
}

/** A problem body (fresh or replayed from storage) as application/problem+json. */
export function problemResponse(body: Problem, headers?: HeadersInit) {
  return Response.json(body, { status: body.status, headers: { "content-type": "application/problem+json", ...headersToObject(headers) } });
}

function headersToObject(headers?: HeadersInit): Record<string, string> {
  if (!headers) return {};
  return Object.fromEntries(new Headers(headers).entries());
}

/**
 * zod issues → [{field, message}] with dotted snake_case paths as the caller sent them. An unknown
 * field is named itself (`usage.0.prompt_tokens`), not the object that holds it.
 */
export function fieldErrors(error: z.ZodError): { field: string; message: string }[] {
  const name = (path: PropertyKey[]) => (path.length ? path.map(String).join(".") : "(body)");
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ field: name([...issue.path, key]), message: "is not a known field" }))
      : [{ field: name(issue.path), message: issue.message }],
  );
}

export function validationProblem(error: z.ZodError) {
  const errors = fieldErrors(error);
  return problem(400, "validation_error", errors.map((e) => `${e.field}: ${e.message}`).join("; "), { errors });
}

export function errorToResponse(error: unknown) {
  if (error instanceof z.ZodError) return validationProblem(error);
  if (error instanceof DomainError) return problemResponse(domainProblem(error));
  console.error("unhandled error in route handler", error);
  return problem(500, "internal_error", "Something went wrong on our side. Try again; if it persists, contact support.");
}

export function domainProblem(error: DomainError): Problem {
  return problemBody(error.status, error.code, error.message, error.details);
}
