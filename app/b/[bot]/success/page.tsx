import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CreditTerms } from "@/components/end-user/credit-terms";
import { db } from "@/db/client";
import { endUserLinkSecret } from "@/lib/billing/end-user-link";
import { getEndUserPurchaseView, getPublicBot } from "@/lib/billing/end-user-view";
import { fulfilCheckoutSession } from "@/lib/billing/fulfil";
import { Credits } from "@/lib/ledger/credits";
import { formatCredits } from "@/lib/format";

export const metadata: Metadata = { title: "Thank you" };
export const dynamic = "force-dynamic";

const credits = (µc: bigint) => formatCredits(Credits.format(µc));

/**
 * Stripe's success_url for end users. Fulfils the Checkout Session (exactly once with the webhook) and says
 * what the payment did, refunds and disputes included. The session id shows only that; the end user's own
 * credits and account link need the signed link (`token`) naming this order's end user.
 */
export default async function EndUserSuccessPage({ params, searchParams }: { params: Promise<{ bot: string }>; searchParams: Promise<{ session_id?: string; token?: string }> }) {
  const { bot: botId } = await params;
  const { session_id: sessionId, token } = await searchParams;
  const bot = await getPublicBot(db(), botId);
  if (!bot) notFound();
  const result = sessionId && /^cs_[A-Za-z0-9_]+$/.test(sessionId) ? await fulfilCheckoutSession(db(), sessionId).catch(() => null) : null;
  const view = await getEndUserPurchaseView(db(), { bot, result, token, secret: endUserLinkSecret() });
  if (!view) {
    return (
      <>
        <h1 className="text-xl font-semibold">We could not find this purchase</h1>
        <p className="text-sm">If you paid, your credits arrive in a moment. Open the credits page again from the chat.</p>
        <CreditTerms />
      </>
    );
  }
  return (
    <>
      {view.outcome === "credited" ? (
        <div className="grid gap-2">
          <h1 className="text-2xl font-semibold">Thank you! Your credits are ready.</h1>
          <p data-testid="credits-received" className="text-lg">
            You received <strong>{credits(view.kept)} credits</strong>
            {view.bonus > 0n ? ` (${credits(view.paid)} + ${credits(view.bonus)} bonus)` : ""}.
          </p>
        </div>
      ) : view.outcome === "refunded" || view.outcome === "disputed" ? (
        <div className="grid gap-2">
          <h1 className="text-2xl font-semibold">{view.outcome === "refunded" ? "This purchase was refunded" : "The payment for this purchase is disputed"}</h1>
          <p data-testid="credits-taken-back" className="text-lg">
            <strong>{credits(view.takenBack)} credits</strong> from it were taken back. Credits already used stay used.
          </p>
        </div>
      ) : view.outcome === "partially_refunded" ? (
        <div className="grid gap-2">
          <h1 className="text-2xl font-semibold">This purchase was partly refunded</h1>
          <p data-testid="credits-received" className="text-lg">
            You keep <strong>{credits(view.kept)} credits</strong> from it; {credits(view.takenBack)} were taken back with the refund.
          </p>
        </div>
      ) : view.outcome === "processing" ? (
        <div className="grid gap-2">
          <h1 className="text-2xl font-semibold">Payment processing</h1>
          <p>Your credits are added as soon as the payment is confirmed.</p>
        </div>
      ) : (
        <div className="grid gap-2">
          <h1 className="text-2xl font-semibold">Payment not completed</h1>
          <p>No credits were added.</p>
        </div>
      )}
      {view.yours ? (
        <p data-testid="new-total" className="text-lg">
          Credits you can use now: <strong>{credits(view.yours.available)}</strong>
        </p>
      ) : null}
      <CreditTerms />
      <p className="text-sm">
        You can close this page and go back to the chat.{" "}
        {view.yours ? (
          <Link className="underline" href={`/b/${bot.id}/account?token=${encodeURIComponent(view.yours.token)}`}>
            See your credits
          </Link>
        ) : null}
      </p>
    </>
  );
}
