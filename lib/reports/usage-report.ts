import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { Credits } from "@/lib/ledger/credits";
import { averageMicro, eachDay, percent, type DayRange } from "./arithmetic";
import { BOT_TYPE_KEYS, CATEGORY_KEYS, POOL_KEYS, type BotTypeKey, type CategoryKey, type PoolKey } from "./labels";

/**
 * Usage & Reports (SPEC §11), read from the usage_daily rollup (maintained by the ledger in the same
 * transaction as every charge) joined to bots — never by scanning usage_events.
 */

/** One rollup group of the range: what the CSV exports, and what everything else sums. */
export interface ReportRow {
  day: string;
  botId: string | null;
  botName: string | null;
  botType: BotTypeKey | null;
  category: CategoryKey | null;
  pool: PoolKey;
  cost: bigint;
  charged: bigint;
  uncollected: bigint;
  events: number;
}

/** An "answer" is an event of an answering category (or an amount-only capture); training is not an answer. */
export function isAnswerCategory(category: CategoryKey | null): boolean {
  return category === null || category === "llm" || category === "code_artifact";
}

export async function loadReportRows(db: DbOrTx, organizationId: string, range: DayRange): Promise<ReportRow[]> {
  const result = (await db.execute(sql`
    select d.day::text as day, d.bot_id, b.name as bot_name, b.type::text as bot_type, d.category::text as category, d.pool::text as pool,
           sum(d.cost)::text as cost, sum(d.charged)::text as charged, sum(d.uncollected)::text as uncollected, sum(d.events)::bigint::text as events
      from usage_daily d
      left join bots b on b.id = d.bot_id
     where d.organization_id = ${organizationId} and d.day >= ${range.from}::date and d.day <= ${range.to}::date
     group by d.day, d.bot_id, b.name, b.type, d.category, d.pool
     order by d.day, b.name nulls last, d.category nulls last, d.pool`)) as unknown as Record<string, string | null>[];
  return result.map((r) => ({
    day: r.day!,
    botId: r.bot_id,
    botName: r.bot_name,
    botType: r.bot_type as BotTypeKey | null,
    category: r.category as CategoryKey | null,
    pool: r.pool as PoolKey,
    cost: BigInt(r.cost!),
    charged: BigInt(r.charged!),
    uncollected: BigInt(r.uncollected!),
    events: Number(r.events),
  }));
}

interface Acc {
  charged: bigint;
  uncollected: bigint;
  cost: bigint;
  events: number;
  answers: number;
  /** cost of everything except training: what answers cost, searches and speech included */
  answerCost: bigint;
}
const acc = (): Acc => ({ charged: 0n, uncollected: 0n, cost: 0n, events: 0, answers: 0, answerCost: 0n });
function add(a: Acc, r: ReportRow) {
  a.charged += r.charged;
  a.uncollected += r.uncollected;
  a.cost += r.cost;
  a.events += r.events;
  if (isAnswerCategory(r.category)) a.answers += r.events;
  if (r.category !== "training") a.answerCost += r.cost;
}
const fmt = Credits.format;
/** Charts take numbers; display-only, the exact values are the strings. */
const num = (micro: bigint) => Number(micro) / 1e6;

export interface UsageReport {
  range: DayRange;
  empty: boolean;
  totals: { charged: string; uncollected: string; cost: string; events: number; answers: number; avgPerAnswer: string | null };
  /** One point per day (zeros filled): credits charged per category and per bot type. */
  series: Array<{ day: string } & Record<CategoryKey | "other" | BotTypeKey | "none", number>>;
  byCategory: Array<{ category: CategoryKey | "other"; charged: string; events: number; share: number }>;
  byBotType: Array<{ botType: BotTypeKey | "none"; charged: string; uncollected: string; events: number; answers: number; avgPerAnswer: string | null }>;
  byBot: Array<{ botId: string | null; name: string; botType: BotTypeKey | "none"; charged: string; uncollected: string; events: number; answers: number; avgPerAnswer: string | null }>;
  byPool: Array<{ pool: PoolKey; charged: string; uncollected: string; events: number; share: number }>;
  days: Array<{ day: string; charged: string; uncollected: string; events: number }>;
}

const avgStr = (a: Acc) => {
  const v = averageMicro(a.answerCost, a.answers);
  return v === null ? null : fmt(v);
};

/** Sums the rollup rows of a range into every split of the page. Pure, so it is unit-tested. */
export function summarize(rows: ReportRow[], range: DayRange): UsageReport {
  const total = acc();
  const cat = new Map<string, Acc>();
  const type = new Map<string, Acc>();
  const bot = new Map<string, Acc & { name: string; botType: BotTypeKey | "none"; botId: string | null }>();
  const pool = new Map<string, Acc>();
  const day = new Map<string, Acc>();
  const seriesByDay = new Map<string, Record<string, number>>();
  const blank = () => Object.fromEntries([...CATEGORY_KEYS, "other", ...BOT_TYPE_KEYS, "none"].map((k) => [k, 0]));
  for (const d of eachDay(range.from, range.to)) seriesByDay.set(d, blank());

  for (const r of rows) {
    add(total, r);
    const c = r.category ?? "other";
    const t = r.botType ?? "none";
    const b = r.botId ?? "none";
    if (!cat.has(c)) cat.set(c, acc());
    add(cat.get(c)!, r);
    if (!type.has(t)) type.set(t, acc());
    add(type.get(t)!, r);
    if (!bot.has(b)) bot.set(b, { ...acc(), name: r.botName ?? "No bot", botType: t, botId: r.botId });
    add(bot.get(b)!, r);
    if (!pool.has(r.pool)) pool.set(r.pool, acc());
    add(pool.get(r.pool)!, r);
    if (!day.has(r.day)) day.set(r.day, acc());
    add(day.get(r.day)!, r);
    const point = seriesByDay.get(r.day);
    if (point) {
      point[c] += num(r.charged);
      point[t] += num(r.charged);
    }
  }

  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    range,
    empty: rows.length === 0,
    totals: { charged: fmt(total.charged), uncollected: fmt(total.uncollected), cost: fmt(total.cost), events: total.events, answers: total.answers, avgPerAnswer: avgStr(total) },
    series: [...seriesByDay].map(([d, p]) => ({ day: d, ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, round(v)])) }) as UsageReport["series"][number]),
    byCategory: [...CATEGORY_KEYS, "other" as const]
      .filter((k) => cat.has(k))
      .map((k) => ({ category: k, charged: fmt(cat.get(k)!.charged), events: cat.get(k)!.events, share: percent(cat.get(k)!.charged, total.charged) })),
    byBotType: [...BOT_TYPE_KEYS, "none" as const]
      .filter((k) => type.has(k) || k !== "none")
      .map((k) => {
        const a = type.get(k) ?? acc();
        return { botType: k, charged: fmt(a.charged), uncollected: fmt(a.uncollected), events: a.events, answers: a.answers, avgPerAnswer: avgStr(a) };
      }),
    byBot: [...bot.values()]
      .sort((x, y) => (y.charged > x.charged ? 1 : y.charged < x.charged ? -1 : x.name.localeCompare(y.name)))
      .map((a) => ({ botId: a.botId, name: a.name, botType: a.botType, charged: fmt(a.charged), uncollected: fmt(a.uncollected), events: a.events, answers: a.answers, avgPerAnswer: avgStr(a) })),
    byPool: POOL_KEYS.filter((k) => pool.has(k)).map((k) => ({
      pool: k,
      charged: fmt(pool.get(k)!.charged),
      uncollected: fmt(pool.get(k)!.uncollected),
      events: pool.get(k)!.events,
      share: percent(pool.get(k)!.charged, total.charged),
    })),
    days: [...day]
      .sort(([x], [y]) => (x < y ? 1 : -1))
      .map(([d, a]) => ({ day: d, charged: fmt(a.charged), uncollected: fmt(a.uncollected), events: a.events })),
  };
}

export async function getUsageReport(db: DbOrTx, organizationId: string, range: DayRange): Promise<UsageReport> {
  return summarize(await loadReportRows(db, organizationId, range), range);
}

export const CSV_HEADER = ["day", "bot", "bot_type", "category", "pool", "events", "charged_credits", "uncollected_credits", "cost_credits"] as const;

function csvCell(value: string | number | null): string {
  const s = value === null ? "" : String(value);
  // Quote when needed; neutralize spreadsheet formulas in names.
  const safe = /^[=+\-@\t\r]/.test(s) && Number.isNaN(Number(s)) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One line per rollup group (day × bot × category × pool), oldest day first. */
export function toCsv(rows: ReportRow[]): string {
  const lines = [CSV_HEADER.join(",")];
  for (const r of rows) {
    lines.push(
      [r.day, r.botName ?? "", r.botType ?? "", r.category ?? "", r.pool, r.events, fmt(r.charged), fmt(r.uncollected), fmt(r.cost)].map(csvCell).join(","),
    );
  }
  return lines.join("\r\n") + "\r\n";
}
