// Agencies and sub-accounts (SPEC §8): every verb re-checks on the server that the actor's current org is
// an agency they administer and that the target is one of its own sub-accounts.
export { requireAgencyAdmin, requireOwnSubAccount, type AgencyActor, type SubAccountRef } from "./access";
export { createSubAccount, renameSubAccount, setSubAccountStatus } from "./create-sub-account";
export { assignCredits, type AssignCreditsInput, type TransferSummary } from "./assign-credits";
export { reclaimCredits, reclaimableCredits, ReclaimExceedsAssignedError } from "./reclaim-credits";
export { listSubAccounts, querySubAccounts, creditStatus, type CreditStatus, type SubAccountSummary, type SubAccountList } from "./list-sub-accounts";
export { getSubAccount, type SubAccountDetail } from "./get-sub-account";
export { inviteSubAccountUser, type InviteResult } from "./invite-user";
export { getAgencyPricing, createAgencyPackFor, setAgencyPackStatus, type AgencySale } from "./pricing";
