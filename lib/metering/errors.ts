import { DomainError } from "@/lib/errors";
import { Credits } from "@/lib/ledger/credits";
import { InsufficientCreditsError } from "@/lib/ledger/errors";
import type { UsagePool } from "@/lib/ledger/types";

export class FreeReserveExhaustedError extends DomainError {
  constructor(botId: string, reason: "visitor_daily_limit" | "period_reserve") {
    super(
      "free_reserve_exhausted",
      402,
      reason === "visitor_daily_limit" ? "This visitor has used today's free answers" : "This bot's free reserve for the month is used up",
      { bot_id: botId, reason },
    );
  }
}

export class EndUserCreditsExhaustedError extends DomainError {
  constructor(botId: string, endUserId: string, shortfall: bigint, available: bigint) {
    super("end_user_credits_exhausted", 402, "This end user has no credits left for this answer; they can buy more or wait for their plan's next grant", {
      bot_id: botId,
      end_user_id: endUserId,
      shortfall: Credits.format(shortfall),
      available: Credits.format(available),
    });
  }
}

/** A paying visitor's shortfall is their own, never the owner's: name it so the runtime can offer a purchase. */
export function mapPoolError(error: unknown, pool: UsagePool, botId: string, endUserExternalId: string | null): unknown {
  if (error instanceof InsufficientCreditsError && pool === "end_user") {
    return new EndUserCreditsExhaustedError(botId, endUserExternalId ?? "", error.shortfall, error.available);
  }
  return error;
}

export class OrganizationSuspendedError extends DomainError {
  constructor(organizationId: string) {
    super("organization_suspended", 403, "This organization is suspended by its agency; its bots cannot use credits until it is reactivated", { organization_id: organizationId });
  }
}
