import type { DbOrTx } from "@/db/client";
import { InvalidInputError } from "@/lib/errors";
import { newId, requireDate, requireOneOf, requirePositive, requireUuid, type Allocation } from "./internal";
import { resolveHoldItem } from "./resolve-holds";
import { USAGE_CATEGORIES, type UsageCategory } from "./types";

export interface CaptureHoldInput {
  holdId: string;
  /** The actual cost in micro-credits, > 0 (may exceed the held amount). */
  amount: bigint;
  /** Override the usage metadata given at placeHold. */
  category?: UsageCategory | null;
  quantities?: Record<string, unknown>;
  occurredAt?: Date;
  rateCardVersion?: number | null;
  description?: string | null;
  now?: Date;
}

export interface CaptureHoldResult {
  holdId: string;
  usageEventId: string;
  charged: bigint;
  released: bigint;
  uncollected: bigint;
  allocations: Allocation[];
  /** The account's available balance right after the capture. */
  available: bigint;
}

/**
 * Captures a hold (SPEC §5): min(actual, held) from the earmarked batches (even if one expired
 * since), the rest of the earmarks released; an excess over the hold comes from available batches
 * and what cannot be covered is recorded as `uncollected` — never a negative balance.
 * Throws HoldNotFoundError, HoldAlreadyResolvedError (409), HoldExpiredError (409).
 */
export async function captureHold(db: DbOrTx, input: CaptureHoldInput): Promise<CaptureHoldResult> {
  const holdId = requireUuid(input.holdId, "holdId");
  const amount = requirePositive(input.amount, "amount");
  const now = input.now ? requireDate(input.now, "now") : undefined;
  if (input.quantities !== undefined && (typeof input.quantities !== "object" || input.quantities === null)) {
    throw new InvalidInputError("quantities", "quantities must be an object");
  }
  const out = await resolveHoldItem(
    db,
    {
      hold_id: holdId,
      action: "capture",
      amount: amount.toString(),
      usage_event_id: newId(),
      category: input.category == null ? null : requireOneOf(input.category, USAGE_CATEGORIES, "category"),
      quantities: input.quantities ?? null,
      occurred_at: input.occurredAt ? requireDate(input.occurredAt, "occurredAt").toISOString() : null,
      rate_card_version: input.rateCardVersion ?? null,
      description: input.description ?? null,
    },
    now,
  );
  return {
    holdId,
    usageEventId: out.usageEventId!,
    charged: out.charged,
    released: out.released,
    uncollected: out.uncollected,
    allocations: out.allocations,
    available: out.available,
  };
}
