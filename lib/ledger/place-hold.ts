import type { DbOrTx } from "@/db/client";
import { applyDebitItem, buildDebitItem } from "./apply-debits";
import { InvalidInputError } from "@/lib/errors";
import { requireDate, type Allocation } from "./internal";
import { DEFAULT_HOLD_TTL_MS, type UsageMeta } from "./types";

export interface PlaceHoldInput extends UsageMeta {
  accountId: string;
  /** Micro-credits to earmark, > 0. */
  amount: bigint;
  /** Default: now + 15 minutes. */
  expiresAt?: Date;
  /** Extra metadata kept on the hold. */
  metadata?: Record<string, unknown>;
  now?: Date;
}

export interface PlaceHoldResult {
  holdId: string;
  accountId: string;
  amount: bigint;
  expiresAt: Date;
  /** Per-batch earmarks, in consumption order. */
  earmarks: Allocation[];
  available: bigint;
}

/**
 * Earmarks `amount` on the account's batches in consumption order (balance unchanged, available
 * drops). The usage metadata given here is used for the usage event at capture.
 * Throws InsufficientCreditsError (402) when available < amount.
 */
export async function placeHold(db: DbOrTx, input: PlaceHoldInput): Promise<PlaceHoldResult> {
  const now = input.now ? requireDate(input.now, "now") : undefined;
  const base = now ?? new Date();
  const expiresAt = input.expiresAt ? requireDate(input.expiresAt, "expiresAt") : new Date(base.getTime() + DEFAULT_HOLD_TTL_MS);
  if (expiresAt.getTime() <= base.getTime()) throw new InvalidInputError("expiresAt", "expiresAt must be in the future");
  const out = await applyDebitItem(db, buildDebitItem("hold", { ...input, holdExpiresAt: expiresAt }), now);
  return {
    holdId: out.holdId!,
    accountId: out.accountId,
    amount: out.amount,
    expiresAt,
    earmarks: out.allocations,
    available: out.available,
  };
}
