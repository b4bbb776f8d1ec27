import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { EndUserPackForm } from "@/components/bots/end-user-pack-form";
import { EndUserPlanForm } from "@/components/bots/end-user-plan-form";
import { OfferStatusButton } from "@/components/bots/offer-status-button";
import { PromoCreditsForm } from "@/components/bots/promo-credits-form";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { db } from "@/db/client";
import { requireOrgContext } from "@/lib/auth/context";
import { listEndUsers } from "@/lib/billing/end-users";
import { listBotPacks, listBotPlans, pricePerCredit } from "@/lib/billing/offers";
import { getBot } from "@/lib/bots/bots";
import { NotFoundError } from "@/lib/errors";
import { Credits } from "@/lib/ledger/credits";
import { formatCredits, formatDateTime, formatMoney } from "@/lib/format";

export const metadata: Metadata = { title: "Bot: end-user packs, plans and end users" };

const c = (micro: bigint) => formatCredits(Credits.format(micro));

/** One bot's end-user commerce: packs, plans, the public page link, and its end users with promo credits. */
export default async function BotBillingPage({ params }: { params: Promise<{ botId: string }> }) {
  const ctx = await requireOrgContext();
  const { botId } = await params;
  const bot = await getBot(db(), ctx.org.id, botId).catch((error) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  const isAdmin = ctx.role === "admin";
  const [packs, plans, endUsers] = await Promise.all([
    listBotPacks(db(), bot.id, { includeArchived: true }),
    listBotPlans(db(), bot.id, { includeArchived: true }),
    listEndUsers(db(), { organizationId: ctx.org.id, botId: bot.id }),
  ]);
  return (
    <div className="grid gap-4">
      <div>
        <p className="text-sm">
          <Link href="/bots" className="underline">
            Bots
          </Link>
        </p>
        <h1 className="text-2xl font-semibold">{bot.name}</h1>
        <p className="text-sm text-muted-foreground">
          End users of this bot buy packs and plans on its public page{" "}
          <Link className="font-mono underline" href={`/b/${bot.id}`}>
            /b/{bot.id}
          </Link>
          . Their credits are their own and never come out of your owner cap. Send each visitor there with a signed link from{" "}
          <code className="font-mono">POST /api/v1/end-user-sessions</code>.
        </p>
      </div>

      <Card aria-labelledby="packs-title">
        <CardHeader>
          <CardTitle id="packs-title">
            <span className="text-base font-semibold text-foreground">End-user credit packs</span>
          </CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4">
          {packs.length === 0 ? <p className="text-sm text-muted-foreground">No packs yet.</p> : null}
          {packs.length > 0 ? (
            <Table aria-label="End-user credit packs">
              <TableHeader>
                <TableRow>
                  <TableHead>Pack</TableHead>
                  <TableHead className="text-right">Credits</TableHead>
                  <TableHead>Bonus</TableHead>
                  <TableHead className="text-right">Price</TableHead>
                  <TableHead className="text-right">Per credit</TableHead>
                  <TableHead>Status</TableHead>
                  {isAdmin ? <TableHead /> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {packs.map((p) => (
                  <TableRow key={p.id}>
                    <TableCell className="font-medium">{p.name}</TableCell>
                    <TableCell className="text-right tabular-nums">{c(p.credits)}</TableCell>
                    <TableCell>{p.bonusCredits > 0n ? `${c(p.bonusCredits)} (expires after ${p.bonusExpiresInDays} days)` : "—"}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatMoney(p.priceMinor, p.currency)}</TableCell>
                    <TableCell className="text-right tabular-nums">{pricePerCredit(p.priceMinor, p.credits, p.currency)}</TableCell>
                    <TableCell>
                      <Badge variant={p.status === "active" ? "free" : "default"}>{p.status === "active" ? "Active" : "Archived"}</Badge>
                    </TableCell>
                    {isAdmin ? (
                      <TableCell>
                        <OfferStatusButton kind="pack" botId={bot.id} offerId={p.id} name={p.name} status={p.status} />
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : null}
          {isAdmin ? <EndUserPackForm botId={bot.id} /> : null}
        </CardContent>
      </Card>

      <Card aria-labelledby="plans-title">
        <CardHeader>
          <CardTitle id="plans-title">
            <span className="text-base font-semibold text-foreground">End-user plans</span>
          </CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4">
          {plans.length === 0 ? <p className="text-sm text-muted-foreground">No plans yet.</p> : null}
          {plans.length > 0 ? (
            <Table aria-label="End-user plans">
              <TableHeader>
                <TableRow>
                  <TableHead>Plan</TableHead>
                  <TableHead className="text-right">Credits per period</TableHead>
                  <TableHead>Unused credits</TableHead>
                  <TableHead className="text-right">Price</TableHead>
                  <TableHead>Status</TableHead>
                  {isAdmin ? <TableHead /> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {plans.map((p) => (
                  <TableRow key={p.id}>
                    <TableCell className="font-medium">{p.name}</TableCell>
                    <TableCell className="text-right tabular-nums">{c(p.creditsPerPeriod)}</TableCell>
                    <TableCell>{p.rollover ? "Roll over" : "Expire at period end"}</TableCell>
                    <TableCell className="text-right tabular-nums">
                      {formatMoney(p.priceMinor, p.currency)} / {p.interval}
                    </TableCell>
                    <TableCell>
                      <Badge variant={p.status === "active" ? "free" : "default"}>{p.status === "active" ? "Active" : "Archived"}</Badge>
                    </TableCell>
                    {isAdmin ? (
                      <TableCell>
                        <OfferStatusButton kind="plan" botId={bot.id} offerId={p.id} name={p.name} status={p.status} />
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : null}
          {isAdmin ? <EndUserPlanForm botId={bot.id} /> : null}
        </CardContent>
      </Card>

      <Card aria-labelledby="end-users-title">
        <CardHeader>
          <CardTitle id="end-users-title">
            <span className="text-base font-semibold text-foreground">End users</span>
          </CardTitle>
          <p className="text-xs text-muted-foreground">Promotional credits are a free batch with an expiry in the end user&apos;s own credits; they never come out of your owner cap.</p>
        </CardHeader>
        <CardContent>
          {endUsers.length === 0 ? (
            <p className="text-sm text-muted-foreground">No end users yet. They appear when the bot runtime first sends their end_user_id.</p>
          ) : (
            <Table aria-label="End users">
              <TableHeader>
                <TableRow>
                  <TableHead>End user</TableHead>
                  <TableHead className="text-right">Remaining credits</TableHead>
                  <TableHead>Plan</TableHead>
                  <TableHead>Last activity</TableHead>
                  {isAdmin ? <TableHead /> : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {endUsers.map((u) => (
                  <TableRow key={u.id} data-testid="end-user-row">
                    <TableCell>
                      <div className="font-mono text-xs">{u.externalId}</div>
                      {u.email ? <div className="text-xs text-muted-foreground">{u.email}</div> : null}
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{c(u.available)}</TableCell>
                    <TableCell>{u.planName ? `${u.planName} (${u.planStatus === "active" ? "active" : u.planStatus})` : "—"}</TableCell>
                    <TableCell className="whitespace-nowrap">{formatDateTime(u.lastActivityAt)}</TableCell>
                    {isAdmin ? (
                      <TableCell>
                        <PromoCreditsForm botId={bot.id} endUserId={u.id} endUserLabel={u.externalId} />
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
