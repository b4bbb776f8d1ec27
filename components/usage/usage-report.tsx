"use client";
import Link from "next/link";
import { useDeferredValue, useId, useRef, useState, type KeyboardEvent } from "react";
import { keepPreviousData, useQuery, type UseQueryResult } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { fetchJson } from "@/components/credit/fetch-json";
import { QueryError } from "@/components/credit/query-error";
import { formatCredits, formatDate } from "@/lib/format";
import { BOT_TYPE_LABEL, CATEGORY_LABEL, POOL_LABEL } from "@/lib/reports/labels";
import type { DailySplit, SubAccountReport, UsageReport } from "@/lib/reports/usage-report";
import { cn } from "@/lib/utils";
import { OTHER_COLOR, SPLIT_COLORS, type SeriesDef } from "./charts-shared";
import { DeferredChart } from "./lazy-chart";
import { usageKeys, usageUrls, type RangeParams } from "./query-keys";

const CATEGORY_SERIES = [
  { key: "llm", label: CATEGORY_LABEL.llm, color: "#4f46e5" },
  { key: "web_search", label: CATEGORY_LABEL.web_search, color: "#0891b2" },
  { key: "speech_to_text", label: CATEGORY_LABEL.speech_to_text, color: "#d97706" },
  { key: "code_artifact", label: CATEGORY_LABEL.code_artifact, color: "#059669" },
  { key: "training", label: CATEGORY_LABEL.training, color: "#9333ea" },
  { key: "other", label: CATEGORY_LABEL.other, color: "#6b7280" },
];
const BOT_TYPE_SERIES = [
  { key: "language_model", label: BOT_TYPE_LABEL.language_model, color: "#4f46e5" },
  { key: "coding", label: BOT_TYPE_LABEL.coding, color: "#059669" },
  { key: "none", label: BOT_TYPE_LABEL.none, color: "#6b7280" },
];
const POOL_SERIES = [
  { key: "owner", label: POOL_LABEL.owner, color: "#4f46e5" },
  { key: "free_reserve", label: POOL_LABEL.free_reserve, color: "#059669" },
  { key: "end_user", label: POOL_LABEL.end_user, color: "#d97706" },
];
const PRESETS = [7, 30, 90] as const;
const DEFAULT_RANGE = { days: 30 } as const;
const n = (s: string) => formatCredits(s);

/** The chart's splits, one tab each; only the selected one mounts a Recharts tree. */
type Split = "category" | "bot_type" | "bot" | "pool" | "sub_account";
const SPLITS: Array<{ id: Split; label: string; testId: string }> = [
  { id: "category", label: "By category", testId: "chart-category" },
  { id: "bot_type", label: "By bot type", testId: "chart-bot-type" },
  { id: "bot", label: "By bot", testId: "chart-bot" },
  { id: "pool", label: "By pool", testId: "chart-pool" },
  { id: "sub_account", label: "By sub-account", testId: "chart-sub-account" },
];

const splitSeries = (split: DailySplit): SeriesDef[] =>
  split.keys.map((k, i) => ({ ...k, color: k.key === "other" ? OTHER_COLOR : SPLIT_COLORS[i % SPLIT_COLORS.length] }));

/**
 * Usage & Reports. `canSplitBySubAccount` (an agency's admin) offers the split by sub-account; the
 * server checks it again and refuses the split to anyone else.
 */
export function UsageReportView({
  orgId,
  canSplitBySubAccount = false,
  initialReport,
}: {
  orgId: string;
  canSplitBySubAccount?: boolean;
  /** The default range (last 30 days), rendered on the server. */
  initialReport?: UsageReport;
}) {
  const [range, setRange] = useState<RangeParams>(DEFAULT_RANGE);
  const [split, setSplit] = useState<Split>("category");
  const splits = canSplitBySubAccount ? SPLITS : SPLITS.filter((s) => s.id !== "sub_account");
  const [custom, setCustom] = useState<{ open: boolean; from: string; to: string }>({ open: false, from: "", to: "" });
  const q = useQuery({
    queryKey: usageKeys.report(orgId, range),
    queryFn: ({ signal }) => fetchJson<UsageReport>(usageUrls.report(orgId, range), signal),
    placeholderData: keepPreviousData,
    initialData: "days" in range && range.days === DEFAULT_RANGE.days ? initialReport : undefined,
  });

  const subs = useQuery({
    queryKey: usageKeys.subAccounts(orgId, range),
    queryFn: ({ signal }) => fetchJson<SubAccountReport>(usageUrls.subAccounts(orgId, range), signal),
    placeholderData: keepPreviousData,
    enabled: canSplitBySubAccount && split === "sub_account",
  });
  const bySubAccount = canSplitBySubAccount && split === "sub_account";

  const openCustom = () => setCustom({ open: true, from: q.data?.range.from ?? "", to: q.data?.range.to ?? "" });
  const isPreset = (d: number) => "days" in range && range.days === d && !custom.open;

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div role="group" aria-label="Range" className="flex flex-wrap items-center gap-2">
          {PRESETS.map((d) => (
            <Button
              key={d}
              size="sm"
              variant={isPreset(d) ? "default" : "outline"}
              aria-pressed={isPreset(d)}
              onClick={() => {
                setCustom((c) => ({ ...c, open: false }));
                setRange({ days: d });
              }}
            >
              Last {d} days
            </Button>
          ))}
          <Button size="sm" variant={custom.open || !("days" in range) ? "default" : "outline"} aria-pressed={custom.open || !("days" in range)} onClick={openCustom}>
            Custom
          </Button>
        </div>
        <Button asChild variant="outline" size="sm">
          <a href={usageUrls.csv(orgId, range, bySubAccount ? "sub_account" : undefined)} download>
            {bySubAccount ? "Export CSV by sub-account" : "Export CSV"}
          </a>
        </Button>
      </div>
      {custom.open ? (
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (custom.from && custom.to) setRange({ from: custom.from, to: custom.to });
          }}
        >
          <div className="grid gap-1">
            <Label htmlFor="range-from">From</Label>
            <Input id="range-from" type="date" required value={custom.from} max={custom.to || undefined} onChange={(e) => setCustom((c) => ({ ...c, from: e.target.value }))} />
          </div>
          <div className="grid gap-1">
            <Label htmlFor="range-to">To</Label>
            <Input id="range-to" type="date" required value={custom.to} min={custom.from || undefined} onChange={(e) => setCustom((c) => ({ ...c, to: e.target.value }))} />
          </div>
          <Button type="submit" size="sm">
            Apply range
          </Button>
        </form>
      ) : null}

      {q.isPending ? (
        <ReportSkeleton />
      ) : q.isError ? (
        <QueryError error={q.error} onRetry={() => void q.refetch()} what="the usage report" />
      ) : (
        <Report
          report={q.data}
          fetching={q.isFetching}
          chart={
            <ChartCard splits={splits} split={split} onSplit={setSplit} report={q.data} subAccounts={subs} />
          }
        />
      )}
    </div>
  );
}

function Report({ report: r, fetching, chart }: { report: UsageReport; fetching: boolean; chart: React.ReactNode }) {
  const lm = r.byBotType.find((t) => t.botType === "language_model");
  const coding = r.byBotType.find((t) => t.botType === "coding");
  const ratio = lm?.avgPerAnswer && coding?.avgPerAnswer && Number(lm.avgPerAnswer) > 0 ? Number(coding.avgPerAnswer) / Number(lm.avgPerAnswer) : null;
  return (
    <div className={cn("grid gap-4", fetching && "opacity-70 transition-opacity")} aria-busy={fetching}>
      <p className="text-sm text-muted-foreground" data-testid="report-range">
        {formatDate(r.range.from)} – {formatDate(r.range.to)} ({r.range.days} {r.range.days === 1 ? "day" : "days"}, UTC)
      </p>
      {r.empty ? <EmptyState /> : null}
      <Card>
        <CardContent className="grid gap-6 p-5 sm:grid-cols-4">
          <dl className="contents">
            <div>
              <dt className="text-sm text-muted-foreground">Credits used</dt>
              <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid="total-charged">{n(r.totals.charged)}</dd>
            </div>
            <div>
              <dt className="text-sm text-muted-foreground">Answers</dt>
              <dd className="mt-1 text-2xl font-semibold tabular-nums" data-testid="total-answers">{r.totals.answers.toLocaleString("en-US")}</dd>
            </div>
            <div>
              <dt className="text-sm text-muted-foreground">Average per answer</dt>
              <dd className="mt-1 text-2xl font-semibold tabular-nums">{r.totals.avgPerAnswer ? n(r.totals.avgPerAnswer) : "—"}</dd>
            </div>
            <div>
              <dt className="text-sm text-muted-foreground">Uncollected</dt>
              <dd className={cn("mt-1 text-2xl font-semibold tabular-nums", r.totals.uncollected !== "0" && "text-amber-800")} data-testid="total-uncollected">
                {n(r.totals.uncollected)}
              </dd>
              <p className="mt-1 text-xs text-muted-foreground">Used beyond what answers had held and could be covered.</p>
            </div>
          </dl>
        </CardContent>
      </Card>

      {chart}

      <Card>
        <CardHeader>
          <CardTitle>Average credits per answer by bot type</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-3 text-sm">
          <Table aria-label="Average credits per answer by bot type">
            <TableHeader>
              <TableRow>
                <TableHead>Bot type</TableHead>
                <TableHead>Answers</TableHead>
                <TableHead>Credits used</TableHead>
                <TableHead>Average per answer</TableHead>
                <TableHead>Uncollected</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {r.byBotType.map((t) => (
                <TableRow key={t.botType}>
                  <TableCell>{BOT_TYPE_LABEL[t.botType]}</TableCell>
                  <TableCell className="tabular-nums">{t.answers.toLocaleString("en-US")}</TableCell>
                  <TableCell className="tabular-nums">{n(t.charged)}</TableCell>
                  <TableCell className="tabular-nums" data-testid={`avg-${t.botType}`}>{t.avgPerAnswer ? n(t.avgPerAnswer) : "—"}</TableCell>
                  <TableCell className="tabular-nums">{n(t.uncollected)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {ratio !== null ? (
            <p className="text-muted-foreground">
              A coding answer costs about <span className="font-medium text-foreground">{ratio.toFixed(1)}×</span> a language-model answer: code answers are longer and may carry
              artifacts.
            </p>
          ) : null}
        </CardContent>
      </Card>

      <div className="grid gap-4 lg:grid-cols-3">
        <Breakdown
          title="By bot"
          head={["Bot", "Type", "Credits", "Answers"]}
          rows={r.byBot.map((b) => [b.name, BOT_TYPE_LABEL[b.botType], n(b.charged), b.answers.toLocaleString("en-US")])}
        />
        <Breakdown title="By pool" head={["Pool", "Credits", "Share"]} rows={r.byPool.map((p) => [POOL_LABEL[p.pool], n(p.charged), `${p.share}%`])} />
        <Breakdown
          title="By category"
          head={["Category", "Credits", "Share"]}
          rows={r.byCategory.map((c) => [CATEGORY_LABEL[c.category], n(c.charged), `${c.share}%`])}
        />
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Day by day</CardTitle>
        </CardHeader>
        <CardContent>
          {r.days.length === 0 ? (
            <p className="text-sm text-muted-foreground">No usage in this range.</p>
          ) : (
            <div className="max-h-96 overflow-y-auto">
              <Table aria-label="Usage per day">
                <TableHeader>
                  <TableRow>
                    <TableHead>Day</TableHead>
                    <TableHead>Events</TableHead>
                    <TableHead>Credits used</TableHead>
                    <TableHead>Uncollected</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {r.days.map((d) => (
                    <TableRow key={d.day}>
                      <TableCell>{formatDate(d.day)}</TableCell>
                      <TableCell className="tabular-nums">{d.events.toLocaleString("en-US")}</TableCell>
                      <TableCell className="tabular-nums">{n(d.charged)}</TableCell>
                      <TableCell className="tabular-nums">{n(d.uncollected)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )}
        </CardContent>
      </Card>
    </div>
  );
}

function Breakdown({ title, head, rows }: { title: string; head: string[]; rows: string[][] }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
      </CardHeader>
      <CardContent>
        {rows.length === 0 ? (
          <p className="text-sm text-muted-foreground">Nothing in this range.</p>
        ) : (
          <Table aria-label={`Usage ${title.toLowerCase()}`}>
            <TableHeader>
              <TableRow>
                {head.map((h) => (
                  <TableHead key={h}>{h}</TableHead>
                ))}
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((row, i) => (
                <TableRow key={i}>
                  {row.map((cell, j) => (
                    <TableCell key={j} className={j > 0 ? "tabular-nums" : undefined}>
                      {cell}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

/**
 * One chart at a time: a tab per split (WAI-ARIA tabs: arrow keys, Home and End move between them), and
 * the selected split's chart, drawn after the page is idle. Switching renders the new chart as a deferred
 * update, so the tab itself answers at once.
 */
function ChartCard({
  splits,
  split,
  onSplit,
  report: r,
  subAccounts,
}: {
  splits: typeof SPLITS;
  split: Split;
  onSplit: (s: Split) => void;
  report: UsageReport;
  subAccounts: UseQueryResult<SubAccountReport>;
}) {
  const base = useId();
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const shown = useDeferredValue(split);
  const current = splits.find((s) => s.id === shown) ?? splits[0];
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = splits.findIndex((s) => s.id === split);
    const next = e.key === "ArrowRight" ? (i + 1) % splits.length : e.key === "ArrowLeft" ? (i - 1 + splits.length) % splits.length : e.key === "Home" ? 0 : e.key === "End" ? splits.length - 1 : -1;
    if (next < 0) return;
    e.preventDefault();
    onSplit(splits[next].id);
    tabs.current[next]?.focus();
  };
  return (
    <Card>
      <CardHeader className="gap-3">
        <CardTitle id={`${base}-title`}>Credits per day</CardTitle>
        <div role="tablist" aria-labelledby={`${base}-title`} className="flex flex-wrap gap-1" onKeyDown={onKeyDown}>
          {splits.map((s, i) => (
            <button
              key={s.id}
              ref={(el) => {
                tabs.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`${base}-tab-${s.id}`}
              aria-selected={s.id === split}
              aria-controls={`${base}-panel`}
              tabIndex={s.id === split ? 0 : -1}
              onClick={() => onSplit(s.id)}
              className={cn(
                "rounded-md px-3 py-1.5 text-sm font-medium outline-none transition-colors focus-visible:ring-2 focus-visible:ring-ring",
                s.id === split ? "bg-primary text-primary-foreground" : "text-muted-foreground hover:bg-muted hover:text-foreground",
              )}
            >
              {s.label}
            </button>
          ))}
        </div>
      </CardHeader>
      <CardContent role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-tab-${current.id}`} data-testid={current.testId} className="grid gap-4">
        {current.id === "category" ? (
          <DeferredChart data={r.series} series={CATEGORY_SERIES} title="Credits per day by category" />
        ) : current.id === "bot_type" ? (
          <DeferredChart data={r.series} series={BOT_TYPE_SERIES} title="Credits per day by bot type" />
        ) : current.id === "bot" ? (
          <DeferredChart data={r.botSeries.points} series={splitSeries(r.botSeries)} title="Credits per day by bot" />
        ) : current.id === "pool" ? (
          <DeferredChart data={r.series} series={POOL_SERIES} title="Credits per day by pool" />
        ) : subAccounts.isPending ? (
          <Skeleton className="h-72 w-full" />
        ) : subAccounts.isError || !subAccounts.data ? (
          <QueryError error={subAccounts.error ?? new Error("No data")} onRetry={() => void subAccounts.refetch()} what="the split by sub-account" />
        ) : (
          <div className={cn("grid gap-4", subAccounts.isFetching && "opacity-70 transition-opacity")} aria-busy={subAccounts.isFetching}>
            <DeferredChart data={subAccounts.data.daily.points} series={splitSeries(subAccounts.data.daily)} title="Credits per day by sub-account" />
            <SubAccountTable report={subAccounts.data} />
          </div>
        )}
      </CardContent>
    </Card>
  );
}

const mix = (parts: Array<{ label: string; share: number }>) => (parts.length ? parts.map((p) => `${p.label} ${p.share}%`).join(" · ") : "—");

/** Each sub-account's total, category mix, bot-type mix and uncollected credits (the chart's numbers). */
function SubAccountTable({ report: r }: { report: SubAccountReport }) {
  if (r.subAccounts.length === 0) return <p className="text-sm text-muted-foreground">This agency has no sub-accounts yet.</p>;
  return (
    <div className="overflow-x-auto">
      <Table aria-label="Usage by sub-account">
        <TableHeader>
          <TableRow>
            <TableHead>Sub-account</TableHead>
            <TableHead>Credits used</TableHead>
            <TableHead>Share</TableHead>
            <TableHead>Category mix</TableHead>
            <TableHead>Bot-type mix</TableHead>
            <TableHead>Answers</TableHead>
            <TableHead>Uncollected</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {r.subAccounts.map((s) => (
            <TableRow key={s.id} data-testid={`sub-account-${s.id}`}>
              <TableCell>
                {s.name}
                {s.status === "suspended" ? <span className="ml-2 text-xs text-muted-foreground">(suspended)</span> : null}
              </TableCell>
              <TableCell className="tabular-nums">{n(s.charged)}</TableCell>
              <TableCell className="tabular-nums">{s.share}%</TableCell>
              <TableCell className="text-xs">{mix(s.categories.map((c) => ({ label: CATEGORY_LABEL[c.category], share: c.share })))}</TableCell>
              <TableCell className="text-xs">{mix(s.botTypes.map((t) => ({ label: BOT_TYPE_LABEL[t.botType], share: t.share })))}</TableCell>
              <TableCell className="tabular-nums">{s.answers.toLocaleString("en-US")}</TableCell>
              <TableCell className={cn("tabular-nums", s.uncollected !== "0" && "text-amber-800")}>{n(s.uncollected)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
        <tfoot>
          <TableRow className="font-medium">
            <TableCell>All sub-accounts</TableCell>
            <TableCell className="tabular-nums" data-testid="sub-accounts-total">{n(r.totals.charged)}</TableCell>
            <TableCell />
            <TableCell />
            <TableCell />
            <TableCell className="tabular-nums">{r.totals.answers.toLocaleString("en-US")}</TableCell>
            <TableCell className="tabular-nums">{n(r.totals.uncollected)}</TableCell>
          </TableRow>
        </tfoot>
      </Table>
    </div>
  );
}

function EmptyState() {
  return (
    <Card>
      <CardContent className="grid gap-2 p-5 text-sm">
        <p className="font-medium">No usage yet — here is how to send your first event</p>
        <ol className="list-decimal space-y-1 pl-5 text-muted-foreground">
          <li>
            Create an API key in <Link className="underline" href="/settings">Settings</Link> and copy a bot id from <Link className="underline" href="/bots">Bots</Link>.
          </li>
          <li>Send one usage event from your bot runtime:</li>
        </ol>
        <pre className="overflow-x-auto rounded-md bg-muted p-3 text-xs">{`curl -X POST $APP_URL/api/v1/usage-events \\
  -H "Authorization: Bearer $API_KEY" -H "Content-Type: application/json" \\
  -d '{"bot_id":"<bot id>","actor":"operator","category":"llm","input_tokens":400,"output_tokens":250}'`}</pre>
        <p className="text-muted-foreground">It appears here right away, split by category and bot type.</p>
      </CardContent>
    </Card>
  );
}

function ReportSkeleton() {
  return (
    <div className="grid gap-4" aria-busy="true" aria-label="Loading the usage report">
      <Skeleton className="h-24" />
      <Skeleton className="h-96" />
      <Skeleton className="h-40" />
    </div>
  );
}
