import { z } from "zod";
import { Credits, MAX_CREDITS, MAX_MICRO } from "@/lib/ledger/credits";
import { CATEGORY_ERROR, USAGE_LINE_SHAPES, usageLineSchema } from "@/lib/metering/rate-card";

/**
 * The metering API's wire format (SPEC §12): snake_case JSON, credits as decimal strings.
 * These schemas validate requests and generate the OpenAPI document (lib/api/v1/openapi.ts).
 */
export const creditString = z
  .string()
  .regex(/^\d+(\.\d{1,6})?$/, "must be a decimal string of credits with at most 6 decimal places, e.g. \"0.25\"")
  .meta({ description: "Credits as a decimal string (1 credit = 1,000,000 micro-credits; at most 6 decimals)", example: "0.05" });

/** Micro-credits of a credit string, or null when it is not one (creditString has said so already). */
function microOrNull(value: string): bigint | null {
  try {
    return Credits.parse(value);
  } catch {
    return null;
  }
}

/** A request's amount: more than zero, at most a billion credits (lib/ledger/credits.ts, MAX_CREDITS). */
export const positiveCreditString = creditString
  .refine((v) => /[1-9]/.test(v), "must be greater than zero")
  .refine((v) => (microOrNull(v) ?? 0n) <= MAX_MICRO, `must be at most ${MAX_CREDITS.toLocaleString("en-US")} credits`);

export const actorSchema = z.enum(["operator", "free_visitor", "paying_visitor"]).meta({
  description: "operator → owner pool; free_visitor → the bot's free reserve, paid by the owner pool; paying_visitor → that end user's own credits",
});

const botId = z.uuid("must be a bot id (uuid)");
const endUserId = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  // Postgres text cannot store U+0000, and no real visitor id holds control characters.
  .regex(/^[^\p{Cc}]*$/u, "must not contain control characters")
  .meta({ description: "Your id for the visitor; created on first sight" });
export { usageLineSchema };
const usageLines = USAGE_LINE_SHAPES;

export const authorizationRequest = z
  .object({
    bot_id: botId,
    actor: actorSchema,
    end_user_id: endUserId.optional(),
    amount: positiveCreditString.meta({ description: "The estimate to hold, e.g. the cost of max_tokens" }),
    expires_in_seconds: z.number().int().min(10).max(3600).optional().meta({ description: "Hold lifetime; default 900 (15 minutes)" }),
  })
  .strict();

export const authorizationResponse = z.object({
  id: z.uuid(),
  status: z.literal("held"),
  amount: creditString,
  expires_at: z.iso.datetime(),
  pool: z.enum(["owner", "free_reserve", "end_user"]),
});

export const captureRequest = z.union([
  z.object({ usage: z.array(usageLineSchema).min(1, "must list at least one usage line").max(50, "at most 50 lines") }).strict(),
  z.object({ amount: positiveCreditString }).strict(),
], { error: "send either {usage: [...]} or {amount: \"…\"}" });

export const captureResponse = z.object({
  usage_event_id: z.string(),
  charged: creditString,
  released: creditString,
  uncollected: creditString,
});

export const releaseResponse = z.object({ id: z.uuid(), status: z.literal("released"), released: creditString });

const usageEventBase = {
  bot_id: botId,
  actor: actorSchema,
  end_user_id: endUserId.optional(),
  occurred_at: z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time" }).optional(),
};

export const usageEventRequest = z.discriminatedUnion(
  "category",
  [
    usageLines.llm.extend(usageEventBase).strict(),
    usageLines.web_search.extend(usageEventBase).strict(),
    usageLines.speech_to_text.extend(usageEventBase).strict(),
    usageLines.code_artifact.extend(usageEventBase).strict(),
    usageLines.training.extend(usageEventBase).strict(),
  ],
  { error: CATEGORY_ERROR },
);

export const usageEventResponse = z.object({ id: z.string(), status: z.literal("charged"), charged: creditString, pool: z.enum(["owner", "free_reserve", "end_user"]) });

export const MAX_BATCH_EVENTS = 1000;
export const usageEventBatchRequest = z.object({ events: z.array(z.unknown()).min(1, "must contain at least one event") }).strict();
export const usageEventBatchResponse = z.object({
  data: z.array(
    z.object({
      index: z.number().int(),
      status: z.number().int(),
      result: usageEventResponse.optional(),
      error: z.object({ code: z.string(), detail: z.string(), errors: z.array(z.object({ field: z.string(), message: z.string() })).optional() }).optional(),
    }),
  ),
  succeeded: z.number().int(),
  failed: z.number().int(),
});

export const balanceQuery = z.object({ bot_id: botId.optional(), end_user_id: endUserId.optional() }).refine((q) => !q.end_user_id || q.bot_id, {
  message: "end_user_id needs bot_id",
  path: ["end_user_id"],
});

const balanceSplit = z.object({ balance: creditString, held: creditString, available: creditString });
export const balanceResponse = z.object({
  available: creditString,
  held: creditString,
  balance: creditString,
  free: balanceSplit,
  paid: balanceSplit,
  batches: z.array(
    z.object({
      id: z.uuid(),
      type: z.enum(["free", "paid"]),
      source: z.string(),
      amount: creditString,
      remaining: creditString,
      held: creditString,
      added_at: z.iso.datetime(),
      expires_at: z.iso.datetime().nullable(),
    }),
  ),
});

export const botsResponse = z.object({ data: z.array(z.object({ id: z.uuid(), name: z.string(), type: z.enum(["language_model", "coding"]) })) });

export const endUserSessionRequest = z.object({ bot_id: botId, end_user_id: endUserId }).strict();
export const endUserSessionResponse = z.object({ url: z.url(), expires_at: z.iso.datetime() });

/**
 * RFC 9457 problem details. Besides the standard members, a problem carries its error's details
 * (listed below as optional); it stays open to more, as RFC 9457 allows extension members.
 */
export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.string().meta({ description: "Stable machine-readable code, e.g. insufficient_credits" }),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().meta({ description: "validation_error: each bad field" }),
  shortfall: creditString.optional().meta({ description: "402: credits missing for this request" }),
  available: creditString.optional().meta({ description: "402: credits available when it was refused" }),
  requested: creditString.optional().meta({ description: "insufficient_credits: credits the request needed" }),
  account_id: z.uuid().optional().meta({ description: "insufficient_credits: the ledger account that was short" }),
  reason: z.enum(["visitor_daily_limit", "period_reserve"]).optional().meta({ description: "free_reserve_exhausted: which limit was hit" }),
  bot_id: z.string().optional(),
  end_user_id: z.string().optional(),
  hold_id: z.string().optional(),
  hold_status: z.enum(["captured", "released", "expired"]).optional().meta({ description: "hold_already_resolved: how the hold was resolved" }),
  key: z.string().optional().meta({ description: "idempotency_conflict: the Idempotency-Key" }),
  organization_id: z.uuid().optional().meta({ description: "organization_suspended: the suspended organization" }),
});
