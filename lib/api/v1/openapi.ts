import { z } from "zod";
import * as s from "./schemas";

/**
 * The OpenAPI 3.1 document of the metering API, generated from the same zod schemas that validate
 * requests (OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod emits natively).
 */
const json = (schema: z.ZodType, io: "input" | "output" = "output") => z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" });

const problemResponse = (description: string) => ({ description, content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } });

const errors = {
  "400": problemResponse("validation_error: names each bad field in `errors`"),
  "401": problemResponse("unauthorized: missing, unknown or revoked API key"),
  "429": { ...problemResponse("rate_limited: too many requests for this key"), headers: { "Retry-After": { schema: { type: "integer" } } } },
};

const idempotencyHeader = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description: "Same key + same body → the first result again, a 402, 404 or hold 409 included; same key + another body → 409 idempotency_conflict",
  schema: { type: "string", maxLength: 255 },
};

const holdIdParam = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };

function body(schema: z.ZodType) {
  return { required: true, content: { "application/json": { schema: json(schema, "input") } } };
}

function ok(description: string, schema: z.ZodType) {
  return { description, content: { "application/json": { schema: json(schema) } } };
}

export function openApiDocument(serverUrl: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Creditdesk metering API",
      version: "1.0.0",
      description:
        "Called by the bot runtime before and after every AI answer: authorize an estimate, capture the actual usage. Credits are decimal strings. Errors are application/problem+json with a stable `code`.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API key from Settings → API keys (cdk_…)" } },
      schemas: { Problem: json(s.problemSchema) },
    },
    paths: {
      "/api/v1/authorizations": {
        post: {
          operationId: "createAuthorization",
          summary: "Hold an estimate before an answer",
          parameters: [idempotencyHeader],
          requestBody: body(s.authorizationRequest),
          responses: {
            "201": ok("Held", s.authorizationResponse),
            ...errors,
            "402": problemResponse("insufficient_credits | free_reserve_exhausted | end_user_credits_exhausted"),
            "403": problemResponse("organization_suspended: the agency suspended this sub-account"),
            "404": problemResponse("not_found: the bot is not this organization's"),
            "409": problemResponse("idempotency_conflict"),
          },
        },
      },
      "/api/v1/authorizations/{id}/capture": {
        post: {
          operationId: "captureAuthorization",
          summary: "Charge the actual usage of an answer; the rest of the hold is released",
          parameters: [holdIdParam, idempotencyHeader],
          requestBody: body(s.captureRequest),
          responses: {
            "200": ok("Captured", s.captureResponse),
            ...errors,
            "404": problemResponse("not_found: no such hold in this organization"),
            "409": problemResponse("hold_already_resolved | hold_expired | idempotency_conflict"),
          },
        },
      },
      "/api/v1/authorizations/{id}/release": {
        post: {
          operationId: "releaseAuthorization",
          summary: "Release a hold without charging (the answer did not happen)",
          parameters: [holdIdParam, idempotencyHeader],
          responses: { "200": ok("Released", s.releaseResponse), ...errors, "404": problemResponse("not_found"), "409": problemResponse("hold_already_resolved | hold_expired | idempotency_conflict") },
        },
      },
      "/api/v1/usage-events": {
        post: {
          operationId: "createUsageEvent",
          summary: "Charge one action directly, without a hold",
          parameters: [idempotencyHeader],
          requestBody: body(s.usageEventRequest),
          responses: {
            "201": ok("Charged", s.usageEventResponse),
            ...errors,
            "402": problemResponse("insufficient_credits | free_reserve_exhausted | end_user_credits_exhausted"),
            "403": problemResponse("organization_suspended: the agency suspended this sub-account"),
            "404": problemResponse("not_found: the bot is not this organization's"),
            "409": problemResponse("idempotency_conflict"),
          },
        },
      },
      "/api/v1/usage-events/batch": {
        post: {
          operationId: "createUsageEventBatch",
          summary: "Charge up to 1000 events; each gets its own result",
          parameters: [idempotencyHeader],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", properties: { events: { type: "array", maxItems: 1000, items: json(s.usageEventRequest, "input") } }, required: ["events"] } } } },
          responses: {
            "200": ok("Per-event results", s.usageEventBatchResponse),
            ...errors,
            "409": problemResponse("idempotency_conflict"),
            "413": problemResponse("batch_too_large: more than 1000 events"),
          },
        },
      },
      "/api/v1/balance": {
        get: {
          operationId: "getBalance",
          summary: "The owner pool, or an end user's credits in a bot",
          parameters: [
            { name: "bot_id", in: "query", required: false, schema: { type: "string", format: "uuid" } },
            { name: "end_user_id", in: "query", required: false, schema: { type: "string" } },
          ],
          responses: { "200": ok("Balance", s.balanceResponse), ...errors, "404": problemResponse("not_found") },
        },
      },
      "/api/v1/bots": {
        get: { operationId: "listBots", summary: "The organization's bots", responses: { "200": ok("Bots", s.botsResponse), ...errors } },
      },
      "/api/v1/end-user-sessions": {
        post: {
          operationId: "createEndUserSession",
          summary: "A signed link to an end user's credit pages",
          parameters: [idempotencyHeader],
          requestBody: body(s.endUserSessionRequest),
          responses: { "201": ok("Session link", s.endUserSessionResponse), ...errors, "404": problemResponse("not_found"), "409": problemResponse("idempotency_conflict") },
        },
      },
    },
  };
}
