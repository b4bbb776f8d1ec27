import type { NextRequest } from "next/server";
import { z } from "zod";
import { db, type DbOrTx } from "@/db/client";
import { authenticateApiKey, type ApiKeyPrincipal } from "@/lib/metering/api-keys";
import { apiKeyLimiter } from "@/lib/metering/rate-limit";
import { hashRequest, recordIdempotentOutcome, withIdempotencyDetailed } from "@/lib/ledger/idempotency";
import { domainProblem, errorToResponse, problem, problemResponse, validationProblem, type Problem } from "@/lib/api/problem";
import { DomainError, InvalidInputError } from "@/lib/errors";
import { IdempotencyConflictError, InsufficientCreditsError } from "@/lib/ledger/errors";
import { creditsOnTheWay } from "@/lib/billing/auto-recharge/wait";
// Charges through this API may cross an auto-recharge threshold: register the listener with them.
import "@/lib/billing/auto-recharge/listener";

export interface V1Context<P> {
  request: NextRequest;
  principal: ApiKeyPrincipal;
  params: P;
  /** For writes: the parsed JSON body (unvalidated; the handler parses it with its schema). */
  body: unknown;
  /** The handle to write through: a transaction when the call is idempotent, else the pool. */
  db: DbOrTx;
}

export interface V1Result {
  status: number;
  body: unknown;
}

/** Thrown for a body that is not JSON, so it maps to the same 400 validation_error as a bad field. */
class MalformedJsonError extends Error {}

/**
 * The chokepoint of the metering API: API key (401), per-key rate limit (429 + Retry-After), JSON body
 * (400 on malformed), Idempotency-Key on writes (first result again, a refusal included; other body →
 * 409), errors mapped to problem+json in one place.
 */
export function v1Route<P = Record<string, never>>(options: { write: boolean }, handler: (ctx: V1Context<P>) => Promise<V1Result>) {
  return async (request: NextRequest, routeContext: { params: Promise<P> }): Promise<Response> => {
    try {
      const authorization = request.headers.get("authorization");
      const bearer = authorization?.toLowerCase().startsWith("bearer ") ? authorization.slice(7).trim() : null;
      const principal = await authenticateApiKey(db(), bearer);
      const limit = apiKeyLimiter.take(principal.keyId);
      if (!limit.allowed) {
        return problem(429, "rate_limited", `Too many requests for this API key; retry after ${limit.retryAfterSeconds} s`, {}, { "retry-after": String(limit.retryAfterSeconds) });
      }
      const params = (await routeContext.params) ?? ({} as P);
      let body: unknown = undefined;
      if (options.write) {
        // A client that hangs up mid-body is not our error: answer 400 and log nothing.
        const text = await request.text().catch(() => {
          throw new MalformedJsonError();
        });
        try {
          body = text.trim() === "" ? {} : JSON.parse(text);
        } catch {
          throw new MalformedJsonError();
        }
      }
      const idempotencyKey = options.write ? request.headers.get("idempotency-key") : null;
      if (idempotencyKey && idempotencyKey.length > 255) {
        throw new InvalidInputError("Idempotency-Key", "Idempotency-Key must be 1–255 characters");
      }
      const idempotency = idempotencyKey
        ? { scope: `v1:${principal.organizationId}`, key: idempotencyKey, requestHash: hashRequest({ method: request.method, path: request.nextUrl.pathname, body }) }
        : null;
      const execute = async (): Promise<{ response: V1Result; replayed: boolean }> => {
        if (!idempotency) return { response: await handler({ request, principal, params, body, db: db() }), replayed: false };
        return withIdempotencyDetailed(db(), idempotency, (tx) => handler({ request, principal, params, body, db: tx }));
      };
      let outcome: { response: V1Result; replayed: boolean };
      try {
        try {
          outcome = await execute();
        } catch (error) {
          // Refused for the owner pool while auto-recharge is paying a top-up: wait for it and try once
          // more (SPEC §17 ex. 6). Out here, the refused attempt's transaction is over and holds no lock.
          if (!(error instanceof InsufficientCreditsError)) throw error;
          // A top-up that fails to start (Stripe unreachable, say) leaves the refusal standing, not a 500.
          const retry = await creditsOnTheWay(db(), principal.organizationId).catch((failure: unknown) => {
            console.error("[v1] waiting for a top-up failed", failure);
            return false;
          });
          if (!retry) throw error;
          outcome = await execute();
        }
      } catch (error) {
        // The refusal rolled back with the key's claim; it is still this key's first result (SPEC §12).
        if (!idempotency || !isKeptRefusal(error)) throw error;
        const refusal = domainProblem(error);
        outcome = await recordIdempotentOutcome<V1Result>(db(), idempotency, { status: refusal.status, body: refusal });
      }
      const { response: result, replayed } = outcome;
      const headers: Record<string, string> = { "x-ratelimit-remaining": String(limit.remaining) };
      if (replayed) headers["idempotent-replayed"] = "true";
      if (result.status >= 400) return problemResponse(result.body as Problem, headers);
      // A plain Response: NextResponse.json builds a Response, then a second one around its body stream,
      // with a cookie jar this API never uses.
      return Response.json(result.body, { status: result.status, headers });
    } catch (error) {
      if (error instanceof MalformedJsonError) {
        return problem(400, "validation_error", "The request body is not valid JSON", { errors: [{ field: "(body)", message: "must be valid JSON" }] });
      }
      return errorToResponse(error);
    }
  };
}

/**
 * Refusals a write's own rules produced, kept under its Idempotency-Key like a success: 402 (no credits),
 * 404 (no such bot or hold) and 409 (the hold was already resolved). Not kept, as at Stripe: a request
 * that never ran (400 bad input, 401, 429, 409 for the key itself), a suspended organization (403, which
 * its agency lifts) and 5xx, so a retry of those runs again.
 */
function isKeptRefusal(error: unknown): error is DomainError {
  if (!(error instanceof DomainError) || error instanceof IdempotencyConflictError) return false;
  return error.status === 402 || error.status === 404 || error.status === 409;
}

/** Parses with a schema; a failure throws the ZodError that errorToResponse turns into 400 naming each field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw result.error;
  return result.data;
}

export { validationProblem };
