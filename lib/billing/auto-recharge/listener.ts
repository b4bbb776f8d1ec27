import { onOrganizationBalance } from "@/lib/notifications/balance-alerts";
import { getAutoRecharge } from "./settings";
import { rechargeIfBelowThreshold, runningRecharge } from "./recharge";

/**
 * Wires auto-recharge to every charge on an organization's pool: below `recharge_at`, open and charge
 * one recharge (the in-flight index turns all concurrent crossings but one into no-ops). Imported for
 * its effect by the metering API.
 */
const marker = globalThis as { __creditdeskAutoRechargeListener?: boolean };
if (!marker.__creditdeskAutoRechargeListener) {
  marker.__creditdeskAutoRechargeListener = true;
  onOrganizationBalance(async (db, { organizationId, available }) => {
    const settings = await getAutoRecharge(db, organizationId, { cached: true });
    if (!settings?.enabled || available >= settings.rechargeAt) return;
    const paid = await rechargeIfBelowThreshold(db, organizationId, { trigger: "charge", available });
    // Another charge of this process opened it: the alerts that follow wait for that payment too.
    if (!paid) await runningRecharge(organizationId)?.catch(() => null);
  });
}
