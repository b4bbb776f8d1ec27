import { isSandbox } from "@/lib/billing/stripe";

/** Says, on every page that can take a payment, when payments run on the local Stripe sandbox (no real charges). */
export function SandboxBanner() {
  if (!isSandbox()) return null;
  return (
    <div role="status" data-testid="sandbox-banner" className="border-b border-amber-300 bg-amber-50 px-4 py-1.5 text-center text-xs text-amber-900">
      Test mode: payments run on the local Stripe sandbox and no real card is charged. Pay with 4242 4242 4242 4242 (any future date, any CVC).
    </div>
  );
}
