import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BatchList } from "@/components/end-user/batch-list";
import { BuyingUnavailable } from "@/components/end-user/buying-unavailable";
import { CreditTerms } from "@/components/end-user/credit-terms";
import { LinkProblem } from "@/components/end-user/link-problem";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { db } from "@/db/client";
import { endUserLinkSecret, verifyEndUserToken } from "@/lib/billing/end-user-link";
import { getEndUserOverview, getPublicBot } from "@/lib/billing/end-user-view";
import { Credits } from "@/lib/ledger/credits";
import { formatCredits, formatDate } from "@/lib/format";

export const metadata: Metadata = { title: "Your credits" };
export const dynamic = "force-dynamic";

const STATUS: Record<string, string> = { active: "Active", past_due: "Payment due", canceled: "Cancelled", incomplete: "Starting", unpaid: "Unpaid" };

/** The end user's own page, reached by the signed link from POST /api/v1/end-user-sessions. */
export default async function EndUserAccountPage({ params, searchParams }: { params: Promise<{ bot: string }>; searchParams: Promise<{ token?: string }> }) {
  const { bot: botId } = await params;
  const { token } = await searchParams;
  const bot = await getPublicBot(db(), botId);
  if (!bot) notFound();
  const link = verifyEndUserToken(token, endUserLinkSecret(), { botId: bot.id });
  if (!link.ok) return <LinkProblem reason={link.reason} />;
  const overview = await getEndUserOverview(db(), { organizationId: bot.organizationId, botId: bot.id, endUserId: link.endUserId });
  if (!overview) return <LinkProblem reason="invalid" />;
  const q = `?token=${encodeURIComponent(token!)}`;
  return (
    <>
      <div className="grid gap-1">
        <h1 className="text-2xl font-semibold">Your credits in {bot.name}</h1>
        <p className="text-4xl font-semibold tabular-nums" data-testid="remaining-credits">
          {formatCredits(Credits.format(overview.available))}
        </p>
        <p className="text-sm text-muted-foreground">credits remaining</p>
      </div>
      {bot.buyingAvailable ? (
        <div className="flex flex-wrap gap-2">
          <Button asChild>
            <Link href={`/b/${bot.id}${q}`}>Buy credits</Link>
          </Button>
        </div>
      ) : (
        <BuyingUnavailable botName={bot.name} />
      )}
      <Card>
        <CardHeader>
          <CardTitle>Your credits, in the order they are used</CardTitle>
        </CardHeader>
        <CardContent>
          <BatchList batches={overview.batches} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Your plan</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-3 text-sm">
          {overview.plans.length === 0 ? (
            <p className="text-muted-foreground">You have no plan. A plan gives you new credits every period.</p>
          ) : (
            overview.plans.map((plan, i) => (
              <div key={i} className="flex flex-wrap items-center gap-2" data-testid="end-user-plan">
                <span className="font-medium">{plan.name}</span>
                <Badge variant={plan.status === "active" ? "free" : plan.status === "canceled" ? "default" : "warning"}>{STATUS[plan.status] ?? plan.status}</Badge>
                <span className="text-muted-foreground">
                  {formatCredits(Credits.format(plan.creditsPerPeriod))} credits per {plan.interval}
                  {plan.status === "active" && plan.currentPeriodEnd
                    ? plan.cancelAtPeriodEnd
                      ? ` · ends ${formatDate(plan.currentPeriodEnd)}`
                      : ` · next credits ${formatDate(plan.currentPeriodEnd)}`
                    : ""}
                </span>
              </div>
            ))
          )}
          {overview.plans.length > 0 ? (
            <a className="w-fit underline" href={`/b/${bot.id}/manage${q}`}>
              Manage or cancel your plan
            </a>
          ) : null}
        </CardContent>
      </Card>
      <CreditTerms />
    </>
  );
}
