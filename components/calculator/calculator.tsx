"use client";
import { useState } from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input, Select } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { fetchJson } from "@/components/credit/fetch-json";
import { QueryError } from "@/components/credit/query-error";
import { formatCredits } from "@/lib/format";
import type { CalculatorDefaults } from "@/lib/reports/calculator";
import { CALC_CATEGORIES, estimateCredits, type CalcCategory } from "@/lib/reports/estimate";
import { BOT_TYPE_LABEL, CATEGORY_LABEL, type BotTypeKey } from "@/lib/reports/labels";
import { calculatorKeys, calculatorUrls } from "./query-keys";

export function CreditCalculator({ orgId }: { orgId: string }) {
  const q = useQuery({ queryKey: calculatorKeys.defaults(orgId), queryFn: ({ signal }) => fetchJson<CalculatorDefaults>(calculatorUrls.defaults(orgId), signal) });
  if (q.isPending)
    return (
      <div className="grid gap-4 md:grid-cols-2" aria-busy="true" aria-label="Loading your averages">
        <Skeleton className="h-80" />
        <Skeleton className="h-80" />
      </div>
    );
  if (q.isError) return <QueryError error={q.error} onRetry={() => void q.refetch()} what="your averages" />;
  return <CalculatorForm defaults={q.data} />;
}

interface FormState {
  botType: BotTypeKey;
  conversations: string;
  answers: string;
  mix: Record<CalcCategory, string>;
}

function initial(d: CalculatorDefaults, botType: BotTypeKey, conversations?: string, answers?: string): FormState {
  const t = d.botTypes[botType];
  return {
    botType,
    conversations: conversations ?? String(d.suggested.conversationsPerMonth),
    answers: answers ?? String(d.suggested.answersPerConversation),
    mix: Object.fromEntries(CALC_CATEGORIES.map((c) => [c, String(t.mix[c])])) as Record<CalcCategory, string>,
  };
}

function CalculatorForm({ defaults: d }: { defaults: CalculatorDefaults }) {
  const [s, setS] = useState<FormState>(() => initial(d, d.suggested.botType));
  const t = d.botTypes[s.botType];
  const num = (v: string) => (v.trim() === "" || Number.isNaN(Number(v)) ? 0 : Math.max(0, Number(v)));
  const mixSum = CALC_CATEGORIES.reduce((sum, c) => sum + num(s.mix[c]), 0);
  const estimate = estimateCredits({
    conversationsPerMonth: num(s.conversations),
    answersPerConversation: num(s.answers),
    mix: Object.fromEntries(CALC_CATEGORIES.map((c) => [c, num(s.mix[c])])) as Record<CalcCategory, number>,
    costPerEvent: t.costPerEvent,
    available: d.available,
  });

  return (
    <div className="grid gap-4 md:grid-cols-2">
      <Card>
        <CardHeader>
          <CardTitle>Your bot&apos;s month</CardTitle>
        </CardHeader>
        <CardContent>
          <form className="grid gap-4" onSubmit={(e) => e.preventDefault()}>
            <div className="grid gap-1">
              <Label htmlFor="calc-bot-type">Bot type</Label>
              <Select id="calc-bot-type" value={s.botType} onChange={(e) => setS(initial(d, e.target.value as BotTypeKey, s.conversations, s.answers))}>
                <option value="language_model">{BOT_TYPE_LABEL.language_model}</option>
                <option value="coding">{BOT_TYPE_LABEL.coding}</option>
              </Select>
            </div>
            <div className="grid gap-4 sm:grid-cols-2">
              <div className="grid gap-1">
                <Label htmlFor="calc-conversations">Conversations per month</Label>
                <Input id="calc-conversations" type="number" inputMode="numeric" min={0} step={1} value={s.conversations} onChange={(e) => setS({ ...s, conversations: e.target.value })} />
              </div>
              <div className="grid gap-1">
                <Label htmlFor="calc-answers">Answers per conversation</Label>
                <Input id="calc-answers" type="number" inputMode="numeric" min={0} step={1} value={s.answers} onChange={(e) => setS({ ...s, answers: e.target.value })} />
              </div>
            </div>
            <fieldset className="grid gap-2">
              <legend className="text-sm font-medium">Category mix (% of actions)</legend>
              <div className="grid grid-cols-2 gap-3">
                {CALC_CATEGORIES.map((c) => (
                  <div key={c} className="grid gap-1">
                    <Label htmlFor={`calc-mix-${c}`}>
                      {CATEGORY_LABEL[c]} <span className="font-normal text-muted-foreground">· {formatCredits(t.costPerEvent[c])} each</span>
                    </Label>
                    <Input id={`calc-mix-${c}`} type="number" min={0} max={100} step={1} value={s.mix[c]} onChange={(e) => setS({ ...s, mix: { ...s.mix, [c]: e.target.value } })} />
                  </div>
                ))}
              </div>
              {mixSum !== 100 ? <p className="text-xs text-amber-800">The mix adds up to {mixSum}%; it is scaled to 100%.</p> : null}
            </fieldset>
            <p className="text-xs text-muted-foreground">
              {t.fromHistory
                ? `Prefilled from your own last ${d.windowDays} days (${t.events.toLocaleString("en-US")} ${BOT_TYPE_LABEL[s.botType].toLowerCase()} actions).`
                : `No ${BOT_TYPE_LABEL[s.botType].toLowerCase()} usage in the last ${d.windowDays} days: typical values are shown.`}
            </p>
            <Button type="button" variant="outline" size="sm" className="justify-self-start" onClick={() => setS(initial(d, s.botType))}>
              Reset to my averages
            </Button>
          </form>
        </CardContent>
      </Card>
      <Card aria-live="polite">
        <CardHeader>
          <CardTitle>Estimate</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="grid gap-4">
            <div>
              <dt className="text-sm text-muted-foreground">Credits per month</dt>
              <dd className="text-3xl font-semibold tabular-nums" data-testid="calc-per-month">{formatCredits(estimate.perMonth, 2)}</dd>
            </div>
            <div className="grid grid-cols-3 gap-3 text-sm">
              <div>
                <dt className="text-muted-foreground">Answers a month</dt>
                <dd className="font-medium tabular-nums">{estimate.answersPerMonth.toLocaleString("en-US")}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Per answer</dt>
                <dd className="font-medium tabular-nums" data-testid="calc-per-answer">{formatCredits(estimate.perAnswer)}</dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Per day</dt>
                <dd className="font-medium tabular-nums">{formatCredits(estimate.perDay, 2)}</dd>
              </div>
            </div>
            <div className="rounded-md bg-muted p-3 text-sm">
              <dt className="text-muted-foreground">Suggested top-up (a month plus 20%, less your {formatCredits(d.available, 2)} available)</dt>
              <dd className="mt-1 text-xl font-semibold tabular-nums" data-testid="calc-top-up">
                {estimate.suggestedTopUp === "0" ? "None needed" : `${formatCredits(estimate.suggestedTopUp)} credits`}
              </dd>
            </div>
          </dl>
          <p className="mt-4 text-sm text-muted-foreground">
            Buy credits on <Link className="underline" href="/billing">Billing</Link>, or see what you actually used on{" "}
            <Link className="underline" href="/usage">Usage &amp; Reports</Link>.
          </p>
        </CardContent>
      </Card>
    </div>
  );
}
