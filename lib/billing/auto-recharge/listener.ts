import { onOrganizationBalance } from "@/lib/notifications/balance-alerts";
import { getAutoRecharge } from "./settings";
import { rechargeIfBelowThreshold } from "./recharge";
import { creditsOnTheWay } from "./wait";

/**
 * Wires auto-recharge to every charge on an organization's pool: below `recharge_at`, open and charge
 * one recharge (the in-flight index turns all concurrent crossings but one into no-ops). Imported for
 * its effect by the metering API.
 */
const marker = globalThis as { __creditdeskAutoRechargeListener?: boolean };
if (!marker.__creditdeskAutoRechargeListener) {
  marker.__creditdeskAutoRechargeListener = true;
  onOrganizationBalance(async (db, { organizationId, available, alertDue }) => {
    const settings = await getAutoRecharge(db, organizationId, { cached: true });
    if (!settings?.enabled || available >= settings.rechargeAt) return;
    const outcome = await rechargeIfBelowThreshold(db, organizationId, { trigger: "charge", available });
    // Another charge (or instance) is paying the top-up: an alert about to go out waits for it, so it is
    // not "out of credits" for a refusal that the top-up answers.
    if (!outcome && alertDue) await creditsOnTheWay(db, organizationId);
  });
}
