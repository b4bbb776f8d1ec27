"use client";
import Link from "next/link";
import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
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
import type { UsageReport } from "@/lib/reports/usage-report";
import { cn } from "@/lib/utils";
import { LazyChart } from "./lazy-chart";
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
const PRESETS = [7, 30, 90] as const;
const n = (s: string) => formatCredits(s);

export function UsageReportView({ orgId }: { orgId: string }) {
  const [range, setRange] = useState<RangeParams>({ days: 30 });
  const [custom, setCustom] = useState<{ open: boolean; from: string; to: string }>({ open: false, from: "", to: "" });
  const q = useQuery({
    queryKey: usageKeys.report(orgId, range),
    queryFn: ({ signal }) => fetchJson<UsageReport>(usageUrls.report(orgId, range), signal),
    placeholderData: keepPreviousData,
  });

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
          <a href={usageUrls.csv(orgId, range)} download>
            Export CSV
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
        <Report report={q.data} fetching={q.isFetching} />
      )}
    </div>
  );
}

function Report({ report: r, fetching }: { report: UsageReport; fetching: boolean }) {
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

      <div className="grid gap-4 xl:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Credits per day by category</CardTitle>
          </CardHeader>
          <CardContent data-testid="chart-category">
            <LazyChart data={r.series} series={CATEGORY_SERIES} title="Credits per day by category" />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Credits per day by bot type</CardTitle>
          </CardHeader>
          <CardContent data-testid="chart-bot-type">
            <LazyChart data={r.series} series={BOT_TYPE_SERIES} title="Credits per day by bot type" />
          </CardContent>
        </Card>
      </div>

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
      <div className="grid gap-4 xl:grid-cols-2">
        <Skeleton className="h-80" />
        <Skeleton className="h-80" />
      </div>
      <Skeleton className="h-40" />
    </div>
  );
}
