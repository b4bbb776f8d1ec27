import { and, eq, inArray } from "drizzle-orm";
import type Stripe from "stripe";
import type { DbOrTx } from "@/db/client";
import { recharges } from "@/db/schema";
import { getAutoRecharge } from "./settings";
import { IN_FLIGHT, rechargeIfBelowThreshold, runningRecharge } from "./recharge";

/**
 * How long a refused charge may wait for a recharge that is being paid. A card payment takes a second
 * or two; a bot runtime waits far longer for an AI answer.
 */
export const RECHARGE_WAIT_MS = 8_000;
const POLL_MS = 50;

/**
 * SPEC §17 ex. 6: with auto-recharge on, a crossing of the threshold must not stop the bots while the
 * top-up is being paid ("the 300 debits all succeed"). A charge refused for the owner pool asks here
 * whether credits are on their way: if a recharge can be (or is being) paid, this waits for it and
 * says whether the charge is worth one more try. A declined card (`retrying`) or one that needs 3-D
 * Secure (`requires_action`) cannot pay in time: no wait, the refusal stands (SPEC §7: the bots stop).
 *
 * Call it outside any transaction: a transaction that tried the charge may hold the account's lock,
 * which the recharge's grant needs.
 */
export async function creditsOnTheWay(db: DbOrTx, organizationId: string, options: { timeoutMs?: number; stripe?: Stripe } = {}): Promise<boolean> {
  const settings = await getAutoRecharge(db, organizationId, { cached: true });
  if (!settings?.enabled || !settings.paymentMethodId) return false;
  const deadline = Date.now() + (options.timeoutMs ?? RECHARGE_WAIT_MS);
  while (Date.now() < deadline) {
    // Paid by this process: wait for that very payment.
    const running = runningRecharge(organizationId);
    if (running) {
      const done = await Promise.race([running.catch(() => null), sleep(deadline - Date.now()).then(() => null)]);
      return done?.status === "succeeded";
    }
    // None here: open one if the balance is below the threshold (the in-flight index lets one caller
    // win). The winner pays it now, so it is resolved when this returns.
    const opened = await rechargeIfBelowThreshold(db, organizationId, { trigger: "charge", stripe: options.stripe });
    if (opened) return opened.status === "succeeded";
    // The in-flight index allows one such row per organization.
    const [inFlight] = await db
      .select({ status: recharges.status })
      .from(recharges)
      .where(and(eq(recharges.organizationId, organizationId), inArray(recharges.status, [...IN_FLIGHT])))
      .limit(1);
    // Nothing in flight and nothing to open: the balance is at or above the threshold, so credits
    // arrived since the refusal and one more try is worth it.
    if (!inFlight) return true;
    // A declined card waiting for its retry, or 3-D Secure: it will not pay in time.
    if (inFlight.status !== "pending") return false;
    await sleep(Math.min(POLL_MS, deadline - Date.now()));
  }
  return false;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
