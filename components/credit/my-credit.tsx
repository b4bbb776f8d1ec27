"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { formatCredits, formatDate, formatDateTime } from "@/lib/format";
import type { MyCredit } from "@/lib/reports/my-credit";
import { fetchJson } from "./fetch-json";
import { creditKeys, creditUrls } from "./query-keys";
import { QueryError } from "./query-error";

const n = (s: string) => formatCredits(s);

function Meter({ used, total, label }: { used: string; total: string; label: string }) {
  const u = Number(used);
  const t = Number(total);
  const pct = t > 0 ? Math.min(100, Math.round((u / t) * 100)) : 0;
  return (
    <div role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} className="mt-2 h-2 w-full overflow-hidden rounded-full bg-muted">
      <div className="h-full rounded-full bg-primary" style={{ width: `${pct}%` }} />
    </div>
  );
}

function Stat({ label, value, testId, children }: { label: string; value: string; testId: string; children?: React.ReactNode }) {
  return (
    <div>
      <dt className="text-sm text-muted-foreground">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
      {children}
    </div>
  );
}

export function MyCreditView({ orgId }: { orgId: string }) {
  const q = useQuery({ queryKey: creditKeys.summary(orgId), queryFn: ({ signal }) => fetchJson<MyCredit>(creditUrls.summary(orgId), signal) });

  if (q.isPending) return <MyCreditSkeleton />;
  if (q.isError) return <QueryError error={q.error} onRetry={() => void q.refetch()} what="your credits" />;
  const d = q.data;
  const nothingYet = d.batchCount === 0 && d.activity.length === 0;

  return (
    <div className="grid gap-4">
      <Card>
        <CardContent className="grid gap-6 p-5 sm:grid-cols-4">
          <dl className="contents">
            <Stat label="Available credits" value={n(d.available)} testId="credit-available">
              <div className="mt-2 flex flex-wrap gap-2">
                <Badge variant="free">
                  Free <span className="ml-1 tabular-nums" data-testid="credit-free">{n(d.free.available)}</span>
                </Badge>
                <Badge variant="paid">
                  Paid <span className="ml-1 tabular-nums" data-testid="credit-paid">{n(d.paid.available)}</span>
                </Badge>
              </div>
            </Stat>
            <Stat label="Held for answers in progress" value={n(d.held)} testId="credit-held" />
            <Stat label="Balance (incl. held)" value={n(d.balance)} testId="credit-balance" />
            <div>
              <dt className="text-sm text-muted-foreground">Expiring within 7 days</dt>
              <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid="credit-expiring">
                {n(d.expiringSoon.amount)}
              </dd>
              {d.expiringSoon.firstOn ? <p className="mt-1 text-xs text-amber-800">First on {formatDate(d.expiringSoon.firstOn)}</p> : null}
            </div>
          </dl>
        </CardContent>
      </Card>

      {nothingYet ? (
        <Card>
          <CardContent className="p-5 text-sm">
            <p className="font-medium">No credits yet.</p>
            <p className="mt-1 text-muted-foreground">
              Buy a credit pack on <Link className="underline" href="/billing">Billing</Link>, then send your first usage event with an API key from{" "}
              <Link className="underline" href="/settings">Settings</Link>.
            </p>
          </CardContent>
        </Card>
      ) : null}

      <section aria-labelledby="pools-title" className="grid gap-4 md:grid-cols-3">
        <h2 id="pools-title" className="sr-only">
          The three pools this period ({formatDate(d.period.start)} – {formatDate(d.period.end)})
        </h2>
        <Card>
          <CardHeader>
            <CardTitle>Owner cap · this month</CardTitle>
          </CardHeader>
          <CardContent className="text-sm">
            <p>
              <span className="font-semibold tabular-nums" data-testid="pool-owner-used">{n(d.pools.ownerCap.used)}</span> used ·{" "}
              <span className="font-semibold tabular-nums">{n(d.pools.ownerCap.left)}</span> left
            </p>
            <Meter used={d.pools.ownerCap.used} total={d.pools.ownerCap.total} label="Owner cap used" />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Free reserve · this month</CardTitle>
          </CardHeader>
          <CardContent className="text-sm">
            {d.pools.freeReserve.limit === "0" ? (
              <p className="text-muted-foreground">
                No free reserve set. Free visitors get no answers; set one per bot on <Link className="underline" href="/bots">Bots</Link>.
              </p>
            ) : (
              <>
                <p>
                  <span className="font-semibold tabular-nums">{n(d.pools.freeReserve.used)}</span> used ·{" "}
                  <span className="font-semibold tabular-nums">{n(d.pools.freeReserve.left)}</span> left of {n(d.pools.freeReserve.limit)}
                </p>
                <Meter used={d.pools.freeReserve.used} total={d.pools.freeReserve.limit} label="Free reserve used" />
                <p className="mt-1 text-xs text-muted-foreground">{d.pools.freeReserve.answers} free answers</p>
              </>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>End-user credits · this month</CardTitle>
          </CardHeader>
          <CardContent className="text-sm">
            <p>
              <span className="font-semibold tabular-nums">{n(d.pools.endUser.sold)}</span> sold ·{" "}
              <span className="font-semibold tabular-nums">{n(d.pools.endUser.spent)}</span> spent
            </p>
            <p className="mt-1 text-xs text-muted-foreground">Paid by your visitors; never drawn from your owner cap.</p>
          </CardContent>
        </Card>
      </section>

      <div className="grid gap-4 md:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Burn rate and runway</CardTitle>
          </CardHeader>
          <CardContent className="text-sm">
            <p>
              <span className="text-lg font-semibold tabular-nums" data-testid="burn-per-day">{n(d.burn.perDay)}</span> credits a day (last {d.burn.windowDays} days)
            </p>
            <p className="mt-1" data-testid="runway">
              {d.burn.runwayDays === null
                ? "No usage in the last 7 days — no end in sight."
                : d.burn.runwayDays === 0
                  ? "Out of credits: add credits to keep your bots answering."
                  : `Runway: about ${d.burn.runwayDays} ${d.burn.runwayDays === 1 ? "day" : "days"}, empty around ${formatDate(d.burn.emptyOn)}.`}
            </p>
          </CardContent>
        </Card>
        <AutoRechargeCard summary={d.autoRecharge} />
      </div>

      <StatsPanel d={d} />

      <Card>
        <CardHeader>
          <CardTitle>Recent activity</CardTitle>
        </CardHeader>
        <CardContent>
          {d.activity.length === 0 ? (
            <p className="text-sm text-muted-foreground">No activity yet.</p>
          ) : (
            <ul className="divide-y divide-border text-sm" aria-label="Recent activity">
              {d.activity.map((a) => (
                <li key={a.id} className="flex items-center justify-between gap-3 py-2">
                  <span>
                    {a.text} ·{" "}
                    {a.kind === "purchase" ? (
                      <span className="tabular-nums">{n(a.delta)} credits to the visitor</span>
                    ) : (
                      <span className={a.delta.startsWith("-") ? "tabular-nums" : "tabular-nums text-emerald-700"}>{a.delta.startsWith("-") ? n(a.delta) : `+${n(a.delta)}`}</span>
                    )}
                  </span>
                  <time className="shrink-0 text-xs text-muted-foreground" dateTime={a.at}>
                    {formatDateTime(a.at)}
                  </time>
                </li>
              ))}
            </ul>
          )}
        </CardContent>
      </Card>
    </div>
  );
}

const RECHARGE_STATE: Record<MyCredit["autoRecharge"]["state"], string> = {
  not_set_up: "not set up",
  on: "on",
  off: "off",
  disabled: "switched off after failed payments",
  attention: "needs attention",
};

function AutoRechargeCard({ summary }: { summary: MyCredit["autoRecharge"] }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Auto-recharge</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-2 text-sm">
        <div className="flex items-center justify-between gap-3">
          <p data-testid="auto-recharge-state">
            Auto-recharge: <span className="font-medium">{RECHARGE_STATE[summary.state]}</span>
            {summary.state === "on" || summary.state === "attention" ? ` · ${n(summary.topUpAmount!)} credits when below ${n(summary.rechargeAt!)}` : null}
          </p>
          <Button asChild variant="outline" size="sm">
            <Link href="/billing#auto-recharge">{summary.state === "not_set_up" ? "Set up on Billing" : "Change"}</Link>
          </Button>
        </div>
        {summary.card ? <p className="text-xs text-muted-foreground">Card {summary.card}</p> : null}
        {summary.disabledReason ? <p className="text-xs text-destructive">{summary.disabledReason}</p> : null}
        {summary.lastRecharge?.actionUrl && summary.lastRecharge.status === "requires_action" ? (
          <a className="text-xs font-medium text-primary underline" href={summary.lastRecharge.actionUrl}>
            Confirm the pending top-up with your bank
          </a>
        ) : null}
      </CardContent>
    </Card>
  );
}

/** The /stats line the seed's users rely on: everything that matters, in one compact panel. */
function StatsPanel({ d }: { d: MyCredit }) {
  const last = d.autoRecharge.lastRecharge;
  const rows: [string, string][] = [
    ["Balance", `${n(d.balance)} credits (${n(d.available)} available)`],
    ["Burn rate", `${n(d.burn.perDay)} credits/day`],
    ["Runway", d.burn.runwayDays === null ? "no usage in 7 days" : `${d.burn.runwayDays} days${d.burn.emptyOn ? ` (until ${formatDate(d.burn.emptyOn)})` : ""}`],
    ["Last recharge", last ? `${n(last.amount)} credits · ${last.status.replace("_", " ")} · ${formatDate(last.at)}` : "none"],
    ["Next expiry", d.nextExpiry ? `${n(d.nextExpiry.amount)} credits on ${formatDate(d.nextExpiry.on)}` : "nothing expires"],
  ];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Stats</CardTitle>
      </CardHeader>
      <CardContent>
        <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]" data-testid="stats-panel">
          {rows.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-muted-foreground">{label}</dt>
              <dd className="tabular-nums">{value}</dd>
            </div>
          ))}
        </dl>
      </CardContent>
    </Card>
  );
}

function MyCreditSkeleton() {
  return (
    <div className="grid gap-4" aria-busy="true" aria-label="Loading your credits">
      <Skeleton className="h-28" />
      <div className="grid gap-4 md:grid-cols-3">
        <Skeleton className="h-28" />
        <Skeleton className="h-28" />
        <Skeleton className="h-28" />
      </div>
      <Skeleton className="h-24" />
      <Skeleton className="h-48" />
    </div>
  );
}
