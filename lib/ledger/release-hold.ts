import type { DbOrTx } from "@/db/client";
import { requireDate, requireUuid } from "./internal";
import { resolveHoldItem } from "./resolve-holds";

export interface ReleaseHoldResult {
  holdId: string;
  released: bigint;
  available: bigint;
}

/** Releases an open hold's earmarks. A second resolve → HoldAlreadyResolvedError (409). */
export async function releaseHold(db: DbOrTx, input: { holdId: string; now?: Date }): Promise<ReleaseHoldResult> {
  const holdId = requireUuid(input.holdId, "holdId");
  const now = input.now ? requireDate(input.now, "now") : undefined;
  const out = await resolveHoldItem(db, { hold_id: holdId, action: "release" }, now);
  return { holdId, released: out.released, available: out.available };
}
