import type { DbOrTx } from "@/db/client";
import { placeHold } from "@/lib/ledger/place-hold";
import { InsufficientCreditsError } from "@/lib/ledger/errors";
import { afterOrganizationCharge } from "@/lib/notifications/balance-alerts";
import { isTransaction } from "@/db/client";
import { claimFreeReserve, type FreeReserveClaim } from "./free-reserve";
import { rememberAuthorizedHold } from "./holds";
import { mapPoolError } from "./errors";
import { routeToPool, type MeteringActor } from "./routing";

export interface AuthorizeInput {
  organizationId: string;
  botId: string;
  actor: MeteringActor;
  endUserExternalId?: string | null;
  /** Estimated cost in µc (e.g. the cost of max_tokens). */
  amount: bigint;
  expiresAt?: Date;
}

export interface Authorization {
  id: string;
  status: "held";
  amount: bigint;
  expiresAt: Date;
  pool: "owner" | "free_reserve" | "end_user";
}

/**
 * Before an answer: route to the right pool and earmark the estimate (SPEC §5, §12). Free visitors first
 * take one answer from the bot's free reserve, in the same transaction as the hold.
 * 402: insufficient_credits / free_reserve_exhausted / end_user_credits_exhausted.
 */
export async function authorize(db: DbOrTx, input: AuthorizeInput, now = new Date()): Promise<Authorization> {
  const route = await routeToPool(db, input);
  const meta = { botId: route.bot.id, endUserId: route.endUserId, actor: route.actor, pool: route.pool };
  try {
    if (route.pool === "free_reserve") {
      // db.transaction: a transaction, or a savepoint inside the caller's (idempotent requests), so a refused
      // hold/debit gives the free-reserve claim back either way.
      const { hold, claim } = await db.transaction(async (tx) => {
        const claim = await claimFreeReserve(tx, route.bot, route.endUserId!, input.amount, now);
        const hold = await placeHold(tx, { ...meta, accountId: route.accountId, amount: input.amount, expiresAt: input.expiresAt, metadata: { free_reserve: claim } });
        afterOrganizationCharge(route.bot.organizationId, hold.available, now);
        return { hold, claim };
      });
      remember(db, route, hold.holdId, hold.expiresAt, claim);
      return { id: hold.holdId, status: "held" as const, amount: hold.amount, expiresAt: hold.expiresAt, pool: route.pool };
    }
    // Owner and end-user pools go through the ledger's group commit (given the Db, not a Tx).
    const hold = await placeHold(db, { ...meta, accountId: route.accountId, amount: input.amount, expiresAt: input.expiresAt });
    remember(db, route, hold.holdId, hold.expiresAt, null);
    if (route.pool === "owner") afterOrganizationCharge(route.bot.organizationId, hold.available, now);
    return { id: hold.holdId, status: "held", amount: hold.amount, expiresAt: hold.expiresAt, pool: route.pool };
  } catch (error) {
    // A refusal reports what is really available: a large estimate refused at 500 available is neither
    // "out of credits" nor, above the threshold, a reason to recharge.
    if (error instanceof InsufficientCreditsError && route.pool !== "end_user") afterOrganizationCharge(route.bot.organizationId, error.available, now);
    throw mapPoolError(error, route.pool, route.bot.id, route.endUserExternalId);
  }
}

/** So that its capture on this instance needs no read of the hold (never from inside a transaction: it may roll back). */
function remember(db: DbOrTx, route: Awaited<ReturnType<typeof routeToPool>>, holdId: string, expiresAt: Date, claim: FreeReserveClaim | null): void {
  if (isTransaction(db)) return;
  rememberAuthorizedHold(route.bot.organizationId, { id: holdId, botId: route.bot.id, endUserId: route.endUserId, pool: route.pool, expiresAt, claim });
}
