import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CreditTerms } from "@/components/end-user/credit-terms";
import { db } from "@/db/client";
import { getPublicBot, getEndUserOverview } from "@/lib/billing/end-user-view";
import { fulfilCheckoutSession } from "@/lib/billing/fulfil";
import { Credits } from "@/lib/ledger/credits";
import { formatCredits } from "@/lib/format";

export const metadata: Metadata = { title: "Thank you" };
export const dynamic = "force-dynamic";

/**
 * Stripe's success_url for end users. Fulfils the Checkout Session (exactly once with the webhook) and shows
 * the credits received and the new total. The unguessable session id is what authorizes showing them; the
 * session must belong to this bot.
 */
export default async function EndUserSuccessPage({ params, searchParams }: { params: Promise<{ bot: string }>; searchParams: Promise<{ session_id?: string; token?: string }> }) {
  const { bot: botId } = await params;
  const { session_id: sessionId, token } = await searchParams;
  const bot = await getPublicBot(db(), botId);
  if (!bot) notFound();
  const result = sessionId && /^cs_[A-Za-z0-9_]+$/.test(sessionId) ? await fulfilCheckoutSession(db(), sessionId).catch(() => null) : null;
  const order = result?.order && result.order.botId === bot.id && result.order.buyerKind === "end_user" ? result.order : null;
  const q = token ? `?token=${encodeURIComponent(token)}` : "";
  if (!result || !order) {
    return (
      <>
        <h1 className="text-xl font-semibold">We could not find this purchase</h1>
        <p className="text-sm">If you paid, your credits arrive in a moment. Open the credits page again from the chat.</p>
        <CreditTerms />
      </>
    );
  }
  const overview = await getEndUserOverview(db(), { organizationId: bot.organizationId, botId: bot.id, endUserId: order.endUserId! });
  const received = result.batches.reduce((sum, b) => sum + b.amount, 0n);
  return (
    <>
      {result.batches.length > 0 ? (
        <div className="grid gap-2">
          <h1 className="text-2xl font-semibold">Thank you! Your credits are ready.</h1>
          <p data-testid="credits-received" className="text-lg">
            You received <strong>{formatCredits(Credits.format(received))} credits</strong>
            {result.batches.length > 1 ? ` (${formatCredits(Credits.format(result.batches[0].amount))} + ${formatCredits(Credits.format(result.batches[1].amount))} bonus)` : ""}.
          </p>
        </div>
      ) : result.status === "processing" ? (
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
      <p data-testid="new-total" className="text-lg">
        Credits you can use now: <strong>{formatCredits(Credits.format(overview?.available ?? 0n))}</strong>
      </p>
      <CreditTerms />
      <p className="text-sm">
        You can close this page and go back to the chat.{" "}
        {token ? (
          <Link className="underline" href={`/b/${bot.id}/account${q}`}>
            See your credits
          </Link>
        ) : null}
      </p>
    </>
  );
}
