import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CreditTerms } from "@/components/end-user/credit-terms";
import { PurchaseOutcome } from "@/components/billing/purchase-outcome";
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
      <PurchaseOutcome summary={view} audience="end_user" />
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
