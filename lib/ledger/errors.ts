import { ConflictError, DomainError, InvalidInputError, NotFoundError } from "@/lib/errors";
import { Credits } from "./credits";

/** Not enough available credits; `details` name the account and the shortfall (decimal credits). */
export class InsufficientCreditsError extends DomainError {
  constructor(
    readonly accountId: string,
    readonly shortfall: bigint,
    readonly available: bigint,
    readonly requested: bigint,
  ) {
    super("insufficient_credits", 402, `Insufficient credits: ${Credits.format(shortfall)} short`, {
      account_id: accountId,
      shortfall: Credits.format(shortfall),
      available: Credits.format(available),
      requested: Credits.format(requested),
    });
  }
}

export class AccountNotFoundError extends NotFoundError {
  constructor(accountId: string) {
    super("Account", { account_id: accountId });
  }
}

export class BatchNotFoundError extends NotFoundError {
  constructor(batchId: string) {
    super("Batch", { batch_id: batchId });
  }
}

export class HoldNotFoundError extends NotFoundError {
  constructor(holdId: string) {
    super("Hold", { hold_id: holdId });
  }
}

/** A hold resolves exactly once: a second capture/release gets this (409). */
export class HoldAlreadyResolvedError extends ConflictError {
  constructor(holdId: string, status: string) {
    super("hold_already_resolved", `Hold already ${status}`, { hold_id: holdId, hold_status: status });
  }
}

/**
 * The hold's expiry has passed (409): it is neither capturable nor releasable, whether or not the
 * expiry job has got to it yet (the expiry was its one resolution; SPEC §5).
 */
export class HoldExpiredError extends ConflictError {
  constructor(holdId: string) {
    super("hold_expired", "Hold has expired", { hold_id: holdId, hold_status: "expired" });
  }
}

/** A hold that is no longer open: expired (by time or by the job) or already captured/released. */
export function holdNotOpenError(holdId: string, status: string): HoldExpiredError | HoldAlreadyResolvedError {
  return status === "expired" ? new HoldExpiredError(holdId) : new HoldAlreadyResolvedError(holdId, status);
}

/** Same idempotency key, different request (409). */
export class IdempotencyConflictError extends ConflictError {
  constructor(scope: string, key: string) {
    super("idempotency_conflict", "This idempotency key was already used with a different request", { key });
    void scope;
  }
}

/** The same external_ref was granted before with different terms (409). */
export class GrantConflictError extends ConflictError {
  constructor(externalRef: string) {
    super("grant_conflict", "This purchase was already granted with different terms", { external_ref: externalRef });
  }
}

export { InvalidInputError };
