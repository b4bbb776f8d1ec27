// The public API of the credit ledger: the only code that changes credits (SPEC §2–§5, §13).
export { Credits, MICRO } from "./credits";
export {
  InsufficientCreditsError,
  AccountNotFoundError,
  BatchNotFoundError,
  HoldNotFoundError,
  HoldAlreadyResolvedError,
  HoldExpiredError,
  IdempotencyConflictError,
  GrantConflictError,
} from "./errors";
export { compareBatches, sortForConsumption, consumptionOrderSql, CONSUMPTION_ORDER_SQL, isSpendable } from "./consumption-order";
export type { OrderableBatch } from "./consumption-order";
export * from "./types";
export { getOrCreateOrgAccount, getOrCreateEndUserAccount, getAccount, type Account } from "./accounts";
export type { BatchView } from "./batch-view";
export { grantBatch, type GrantBatchInput } from "./grant-batch";
export { debit, debitMany, type DebitInput, type DebitResult } from "./debit";
export { placeHold, type PlaceHoldInput, type PlaceHoldResult } from "./place-hold";
export { captureHold, type CaptureHoldInput, type CaptureHoldResult } from "./capture-hold";
export { releaseHold, type ReleaseHoldResult } from "./release-hold";
export { expireBatches } from "./expire-batches";
export { expireHolds } from "./expire-holds";
export { transferCredits, type TransferCreditsInput, type TransferCreditsResult } from "./transfer-credits";
export { voidBatchRemainder } from "./void-batch-remainder";
export { getBalance, type Balance, type BalanceSplit } from "./get-balance";
export {
  withIdempotency,
  withIdempotencyDetailed,
  hashRequest,
  serializeResponse,
  reviveResponse,
  type IdempotencyKeyInput,
} from "./idempotency";
export { verifyLedger, LEDGER_INVARIANTS, type Breach } from "./verify";
export { GroupCommitQueue } from "./group-commit";
