import type { DbOrTx } from "@/db/client";
import { applyDebitItem, applyDebitItems, buildDebitItem } from "./apply-debits";
import type { Allocation } from "./internal";
import { requireDate } from "./internal";
import type { UsageMeta } from "./types";

export interface DebitInput extends UsageMeta {
  accountId: string;
  /** Micro-credits, > 0. */
  amount: bigint;
  /** Injected clock (tests, seeds); bypasses group commit. */
  now?: Date;
}

export interface DebitResult {
  usageEventId: string;
  accountId: string;
  charged: bigint;
  /** Which batches paid how much, in consumption order (empty from `debitMany(…, { allocations: false })`). */
  allocations: Allocation[];
  /** The account's available balance right after this debit (for auto-recharge thresholds). */
  available: bigint;
}

/**
 * Charges `amount` to the account in consumption order, all or nothing: writes a usage event, its
 * allocations and `consume` entries. Throws InsufficientCreditsError (402) / AccountNotFoundError.
 * Given a Db, concurrent calls are group-committed; given a Tx, it runs inside it.
 */
export async function debit(db: DbOrTx, input: DebitInput): Promise<DebitResult> {
  const now = input.now ? requireDate(input.now, "now") : undefined;
  const out = await applyDebitItem(db, buildDebitItem("debit", input), now);
  return {
    usageEventId: out.usageEventId!,
    accountId: out.accountId,
    charged: out.amount,
    allocations: out.allocations,
    available: out.available,
  };
}

/**
 * Many debits in one transaction (bulk imports, seeds, the batch endpoint); each gets its own result or
 * error. `allocations: false` returns every result with an empty `allocations` (they are still recorded)
 * for callers that never read them.
 */
export async function debitMany(db: DbOrTx, inputs: DebitInput[], options: { now?: Date; allocations?: boolean } = {}): Promise<(DebitResult | Error)[]> {
  const outs = await applyDebitItems(db, inputs.map((i) => buildDebitItem("debit", i)), options.now, { allocations: options.allocations });
  return outs.map((o) =>
    o instanceof Error
      ? o
      : { usageEventId: o.usageEventId!, accountId: o.accountId, charged: o.amount, allocations: o.allocations, available: o.available },
  );
}
