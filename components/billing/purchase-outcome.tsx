import type { PurchaseSummary } from "@/lib/billing/purchase-summary";
import { Credits } from "@/lib/ledger/credits";
import { formatCredits } from "@/lib/format";

const credits = (µc: bigint) => formatCredits(Credits.format(µc));

/**
 * The heading and sentence of a success page: what the payment did, told from the order's status so a page
 * reopened after a refund or dispute says so. The owner sees the paid/bonus split; end users see the same
 * facts in their words (SPEC §10).
 */
export function PurchaseOutcome({ summary, audience }: { summary: PurchaseSummary; audience: "owner" | "end_user" }) {
  const heading = audience === "owner" ? "text-xl font-semibold" : "text-2xl font-semibold";
  const sentence = audience === "owner" ? undefined : "text-lg";
  switch (summary.outcome) {
    case "credited":
      return (
        <div className="grid gap-2">
          <h1 className={heading}>{audience === "owner" ? "Thank you — credits added" : "Thank you! Your credits are ready."}</h1>
          <p data-testid="credits-received" className={sentence}>
            You received <strong>{credits(summary.kept)} credits</strong>
            {summary.bonus > 0n ? ` (${credits(summary.paid)}${audience === "owner" ? " paid" : ""} + ${credits(summary.bonus)} bonus)` : ""}.
          </p>
        </div>
      );
    case "refunded":
    case "disputed":
      return (
        <div className="grid gap-2">
          <h1 className={heading}>{summary.outcome === "refunded" ? "This purchase was refunded" : "The payment for this purchase is disputed"}</h1>
          <p data-testid="credits-taken-back" className={sentence}>
            <strong>{credits(summary.takenBack)} credits</strong> from it were taken back. Credits already used stay used.
          </p>
        </div>
      );
    case "partially_refunded":
      return (
        <div className="grid gap-2">
          <h1 className={heading}>This purchase was partly refunded</h1>
          <p data-testid="credits-received" className={sentence}>
            You keep <strong>{credits(summary.kept)} credits</strong> from it; {credits(summary.takenBack)} were taken back with the refund.
          </p>
        </div>
      );
    case "processing":
      return (
        <div className="grid gap-2">
          <h1 className={heading}>Payment processing</h1>
          <p>Your credits are added as soon as the payment is confirmed.</p>
        </div>
      );
    case "not_completed":
      return (
        <div className="grid gap-2">
          <h1 className={heading}>Payment not completed</h1>
          <p>{audience === "owner" ? "Nothing was charged and no credits were added." : "No credits were added."}</p>
        </div>
      );
  }
}
