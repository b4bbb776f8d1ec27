import type { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { Credits } from "@/lib/ledger/credits";
import { chargeUsage } from "@/lib/metering/charge";
import { InvalidInputError } from "@/lib/errors";
import type { UsageLine } from "@/lib/metering/rate-card";
import type { usageEventRequest } from "./schemas";

// Events may be reported late (queues, retries) but not from the future: that would dodge price changes.
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export async function chargeUsageEvent(db: DbOrTx, organizationId: string, input: z.infer<typeof usageEventRequest>, now = new Date()) {
  const { bot_id, actor, end_user_id, occurred_at, ...line } = input;
  const occurredAt = occurred_at ? new Date(occurred_at) : now;
  if (occurredAt.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) throw new InvalidInputError("occurred_at", "occurred_at must not be in the future");
  const outcome = await chargeUsage(db, { organizationId, botId: bot_id, actor, endUserExternalId: end_user_id, usage: line as UsageLine, occurredAt }, now);
  return { id: outcome.usageEventId, status: "charged" as const, charged: Credits.format(outcome.charged), pool: outcome.pool };
}
