import type { z } from "zod";
import type { DbOrTx } from "@/db/client";
import { Credits } from "@/lib/ledger/credits";
import { chargeUsage, chargeUsageMany, type ChargeInput, type ChargeOutcome } from "@/lib/metering/charge";
import { DomainError, InvalidInputError } from "@/lib/errors";
import type { UsageLine } from "@/lib/metering/rate-card";
import type { usageEventRequest } from "./schemas";

type UsageEventRequest = z.infer<typeof usageEventRequest>;

// Events may be reported late (queues, retries) but not from the future: that would dodge price changes.
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

function toChargeInput(organizationId: string, input: UsageEventRequest, now: Date): ChargeInput {
  const { bot_id, actor, end_user_id, occurred_at, ...line } = input;
  const occurredAt = occurred_at ? new Date(occurred_at) : now;
  if (occurredAt.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) throw new InvalidInputError("occurred_at", "occurred_at must not be in the future");
  return { organizationId, botId: bot_id, actor, endUserExternalId: end_user_id, usage: line as UsageLine, occurredAt };
}

function present(outcome: ChargeOutcome) {
  return { id: outcome.usageEventId, status: "charged" as const, charged: Credits.format(outcome.charged), pool: outcome.pool };
}

export async function chargeUsageEvent(db: DbOrTx, organizationId: string, input: UsageEventRequest, now = new Date()) {
  return present(await chargeUsage(db, toChargeInput(organizationId, input, now), now));
}

/** The batch endpoint: one result (or error) per event, in order; the ledger is called once for the lot. */
export async function chargeUsageEvents(db: DbOrTx, organizationId: string, inputs: UsageEventRequest[], now = new Date()): Promise<(ReturnType<typeof present> | Error)[]> {
  const prepared = inputs.map((input) => {
    try {
      return toChargeInput(organizationId, input, now);
    } catch (error) {
      return error as Error;
    }
  });
  const valid = prepared.filter((p): p is ChargeInput => !(p instanceof Error));
  const charged = await chargeUsageMany(db, valid, now);
  let k = 0;
  return prepared.map((p) => (p instanceof Error ? p : ((r) => (r instanceof Error ? r : present(r)))(charged[k++])));
}

export type BatchEntry =
  | { index: number; status: 201; result: ReturnType<typeof present> }
  | { index: number; status: number; error: { code: string; detail: string } };

/**
 * One event's entry in the batch answer. An unexpected error is that event's 500, never the whole
 * request's: the batch's other events may already be committed (owner-pool events in one transaction,
 * each free visitor's in its own), and a client that saw a 500 for the request would resend them all
 * and be charged twice. The error itself is logged, not shown.
 */
export function batchEntry(index: number, outcome: ReturnType<typeof present> | Error): BatchEntry {
  if (outcome instanceof DomainError) return { index, status: outcome.status, error: { code: outcome.code, detail: outcome.message } };
  if (outcome instanceof Error) {
    console.error("a usage event of a batch failed unexpectedly", outcome);
    return { index, status: 500, error: { code: "internal_error", detail: "Something went wrong on our side; this event was not charged. Send it again; if it persists, contact support." } };
  }
  return { index, status: 201, result: outcome };
}
