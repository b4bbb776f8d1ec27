import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PackCard } from "@/components/billing/pack-card";
import { BuyingUnavailable } from "@/components/end-user/buying-unavailable";
import { CreditTerms } from "@/components/end-user/credit-terms";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { db } from "@/db/client";
import { endUserLinkSecret, verifyEndUserToken } from "@/lib/billing/end-user-link";
import { getPublicBot } from "@/lib/billing/end-user-view";
import { listBotPacks, listBotPlans, pricePerCredit } from "@/lib/billing/offers";
import { Credits } from "@/lib/ledger/credits";
import { formatCredits, formatMoney } from "@/lib/format";
import { buyEndUserPackAction, subscribeEndUserPlanAction } from "./actions";

export const metadata: Metadata = { title: "Buy credits" };
export const dynamic = "force-dynamic";

const PER = { day: "day", week: "week", month: "month", year: "year" } as const;

/**
 * The bot's packs and plans for its end users (SPEC §10 wording). Buying needs the signed link from the chat.
 * A bot that does not sell now (its organization is suspended; checkout would refuse) shows a notice instead.
 */
export default async function EndUserStorePage({ params, searchParams }: { params: Promise<{ bot: string }>; searchParams: Promise<{ token?: string; canceled?: string }> }) {
  const { bot: botId } = await params;
  const { token, canceled } = await searchParams;
  const bot = await getPublicBot(db(), botId);
  if (!bot) notFound();
  const link = verifyEndUserToken(token, endUserLinkSecret(), { botId: bot.id });
  const q = token ? `?token=${encodeURIComponent(token)}` : "";
  if (!bot.buyingAvailable) {
    return (
      <>
        <div className="grid gap-2">
          <h1 className="text-2xl font-semibold">Buy credits for {bot.name}</h1>
          <CreditTerms />
        </div>
        <BuyingUnavailable botName={bot.name} />
        {link.ok ? (
          <p className="text-sm">
            <Link className="underline" href={`/b/${bot.id}/account${q}`}>
              See your credits
            </Link>
          </p>
        ) : null}
      </>
    );
  }
  const [packs, plans] = await Promise.all([listBotPacks(db(), bot.id), listBotPlans(db(), bot.id)]);
  const hidden = (offerId: string) => (
    <>
      <input type="hidden" name="botId" value={bot.id} />
      <input type="hidden" name="token" value={token ?? ""} />
      <input type="hidden" name="offerId" value={offerId} />
    </>
  );
  return (
    <>
      <div className="grid gap-2">
        <h1 className="text-2xl font-semibold">Buy credits for {bot.name}</h1>
        <CreditTerms />
      </div>
      {canceled ? (
        <p role="status" className="rounded-md border border-border bg-muted px-3 py-2 text-sm">
          Checkout was canceled. Nothing was charged.
        </p>
      ) : null}
      {!link.ok ? (
        <p role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {link.reason === "expired" ? "Your link has expired. " : ""}To buy, open this page from the chat with {bot.name}, so the credits reach your conversations.
        </p>
      ) : (
        <p className="text-sm">
          <Link className="underline" href={`/b/${bot.id}/account${q}`}>
            See your credits
          </Link>
        </p>
      )}
      <section aria-labelledby="packs-heading" className="grid gap-3">
        <h2 id="packs-heading" className="text-lg font-semibold">
          Credit packs
        </h2>
        {packs.length === 0 ? <p className="text-sm text-muted-foreground">No credit packs are offered for this bot.</p> : null}
        <div className="grid gap-3 sm:grid-cols-2">
          {packs.map((pack) => (
            <PackCard
              key={pack.id}
              pack={pack}
              action={
                <form action={buyEndUserPackAction}>
                  {hidden(pack.id)}
                  <Button type="submit" className="w-full" aria-label={`Buy ${pack.name}`} disabled={!link.ok}>
                    Buy
                  </Button>
                </form>
              }
            />
          ))}
        </div>
      </section>
      <section aria-labelledby="plans-heading" className="grid gap-3">
        <h2 id="plans-heading" className="text-lg font-semibold">
          Plans
        </h2>
        {plans.length === 0 ? <p className="text-sm text-muted-foreground">No plans are offered for this bot.</p> : null}
        <div className="grid gap-3 sm:grid-cols-2">
          {plans.map((plan) => (
            <Card key={plan.id} aria-labelledby={`plan-${plan.id}`} data-testid="plan-card">
              <CardContent className="grid gap-2 p-5">
                <h3 id={`plan-${plan.id}`} className="text-base font-semibold">
                  {plan.name}
                </h3>
                <p className="text-2xl font-semibold tabular-nums">
                  {formatCredits(Credits.format(plan.creditsPerPeriod))} credits per {PER[plan.interval]}
                </p>
                <p className="text-sm text-muted-foreground">
                  {plan.rollover ? "Unused credits stay available after the period ends." : `Each ${PER[plan.interval]}'s credits expire at the end of that ${PER[plan.interval]}.`}
                </p>
                {plan.description ? <p className="text-sm text-muted-foreground">{plan.description}</p> : null}
                <p className="text-lg font-medium">
                  {formatMoney(plan.priceMinor, plan.currency)} / {PER[plan.interval]}
                </p>
                <p className="text-xs text-muted-foreground">{pricePerCredit(plan.priceMinor, plan.creditsPerPeriod, plan.currency)} per credit</p>
                <p className="text-xs text-muted-foreground">Cancel any time; no new credits after cancelling.</p>
                <form action={subscribeEndUserPlanAction}>
                  {hidden(plan.id)}
                  <Button type="submit" className="w-full" aria-label={`Subscribe to ${plan.name}`} disabled={!link.ok}>
                    Subscribe
                  </Button>
                </form>
              </CardContent>
            </Card>
          ))}
        </div>
      </section>
    </>
  );
}
