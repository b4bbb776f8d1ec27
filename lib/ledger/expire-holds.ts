import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { nowSql, requireDate, rows } from "./internal";
import { resolveHoldItems } from "./resolve-holds";

/**
 * Job: releases every open hold past its expiry (status `expired`), up to `limit` per call, in one
 * transaction. Returns how many holds expired and how much they freed.
 */
export async function expireHolds(
  db: DbOrTx,
  options: { now?: Date; limit?: number } = {},
): Promise<{ expired: number; released: bigint }> {
  const now = options.now ? requireDate(options.now, "now") : undefined;
  const due = await rows<{ id: string }>(
    db,
    sql`select id from holds where status = 'open' and expires_at <= ${nowSql(now)} order by expires_at limit ${options.limit ?? 1000}`,
  );
  if (due.length === 0) return { expired: 0, released: 0n };
  const outs = await resolveHoldItems(db, due.map((h) => ({ hold_id: h.id, action: "expire" as const })), now);
  let expired = 0;
  let released = 0n;
  for (const o of outs) {
    if (o instanceof Error || o.status !== "ok") continue;
    expired++;
    released += o.released;
  }
  return { expired, released };
}
