import type { DbOrTx } from "@/db/client";
import { debit } from "@/lib/ledger/debit";
import { InsufficientCreditsError } from "@/lib/ledger/errors";
import { afterOrganizationCharge } from "@/lib/notifications/balance-alerts";
import { claimFreeReserve } from "./free-reserve";
import { mapPoolError } from "./errors";
import { priceLine, quantitiesOf, rateCardAt, type UsageLine } from "./rate-card";
import { routeToPool, type MeteringActor } from "./routing";

export interface ChargeInput {
  organizationId: string;
  botId: string;
  actor: MeteringActor;
  endUserExternalId?: string | null;
  usage: UsageLine;
  occurredAt?: Date;
}

export interface ChargeOutcome {
  usageEventId: string;
  charged: bigint;
  pool: "owner" | "free_reserve" | "end_user";
  available: bigint;
}

/**
 * A direct charge without a hold (SPEC §5: cheap actions). Priced with the rate card in force at
 * occurred_at; all or nothing (402 when the pool cannot pay it).
 */
export async function chargeUsage(db: DbOrTx, input: ChargeInput, now = new Date()): Promise<ChargeOutcome> {
  const occurredAt = input.occurredAt ?? now;
  const card = await rateCardAt(db, occurredAt);
  const cost = priceLine(card.prices, input.usage);
  const route = await routeToPool(db, { ...input, category: input.usage.category });
  const debitInput = {
    accountId: route.accountId,
    amount: cost,
    botId: route.bot.id,
    endUserId: route.endUserId,
    actor: route.actor,
    pool: route.pool,
    category: input.usage.category,
    quantities: quantitiesOf(input.usage),
    occurredAt,
    rateCardVersion: card.version,
  };
  if (cost === 0n) return { usageEventId: "", charged: 0n, pool: route.pool, available: -1n };
  try {
    if (route.pool === "free_reserve") {
      // db.transaction: a transaction, or a savepoint inside the caller's (idempotent requests), so a refused
      // hold/debit gives the free-reserve claim back either way.
      return await db.transaction(async (tx) => {
        await claimFreeReserve(tx, route.bot, route.endUserId!, cost, now);
        const result = await debit(tx, debitInput);
        afterOrganizationCharge(route.bot.organizationId, result.available, now);
        return { usageEventId: result.usageEventId, charged: result.charged, pool: route.pool, available: result.available };
      });
    }
    const result = await debit(db, debitInput);
    if (route.pool === "owner") afterOrganizationCharge(route.bot.organizationId, result.available, now);
    return { usageEventId: result.usageEventId, charged: result.charged, pool: route.pool, available: result.available };
  } catch (error) {
    if (error instanceof InsufficientCreditsError && route.pool !== "end_user") afterOrganizationCharge(route.bot.organizationId, 0n, now);
    throw mapPoolError(error, route.pool, route.bot.id, route.endUserExternalId);
  }
}
