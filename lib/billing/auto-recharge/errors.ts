import { DomainError } from "@/lib/errors";

/** SPEC §1, §8: a sub-account buys its credits from its agency, never from the platform (no platform auto-recharge). */
export class SubAccountBuysFromAgencyError extends DomainError {
  constructor(organizationId: string) {
    super("sub_account_buys_from_agency", 403, "A sub-account buys its credits from its agency, so it cannot set up auto-recharge", { organization_id: organizationId });
  }
}
