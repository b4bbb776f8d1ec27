import type { SandboxState } from "./state";

/**
 * Sandbox time. Billing (renewals, session expiry) reads this clock instead of Date.now() so tests can jump a
 * month ahead with POST /_sandbox/advance. Webhook signatures still use the wall clock, because the app's
 * `constructEvent` checks them against its own wall clock.
 */
export function sandboxNow(state: SandboxState): number {
  return Math.floor(Date.now() / 1000) + state.clockOffset;
}

export function wallNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** Adds calendar months the way Stripe anchors billing periods (Jan 31 + 1 month = Feb 28/29). */
export function addInterval(fromSeconds: number, interval: string, count: number): number {
  const d = new Date(fromSeconds * 1000);
  switch (interval) {
    case "day":
      return fromSeconds + 86_400 * count;
    case "week":
      return fromSeconds + 7 * 86_400 * count;
    case "year":
      return addInterval(fromSeconds, "month", 12 * count);
    case "month":
    default: {
      const day = d.getUTCDate();
      const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + count, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
      const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
      target.setUTCDate(Math.min(day, lastDay));
      return Math.floor(target.getTime() / 1000);
    }
  }
}
