import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { requireAgencyAdmin } from "@/lib/agency/access";
import { findOrgAccess } from "@/lib/auth/org-access";
import { ForbiddenError, InvalidInputError, NotFoundError } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
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

/**
 * Credits per day split by a dynamic key (bots, sub-accounts): the largest few keep their own series,
 * the rest are summed into "other" so a chart never draws dozens of stacks.
 */
export interface DailySplit {
  keys: Array<{ key: string; label: string }>;
  /** One point per day of the range (zeros filled): `day` and one number per key. */
  points: Array<Record<string, string | number>>;
}

export interface UsageReport {
  range: DayRange;
  empty: boolean;
  totals: { charged: string; uncollected: string; cost: string; events: number; answers: number; avgPerAnswer: string | null };
  /** One point per day (zeros filled): credits charged per category, per bot type and per pool. */
  series: Array<{ day: string } & Record<CategoryKey | "other" | BotTypeKey | "none" | PoolKey, number>>;
  /** Credits per day per bot (the largest bots, the rest as "other"). */
  botSeries: DailySplit;
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
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const byChargedDesc = <T extends { charged: bigint; name: string }>(x: T, y: T) =>
  y.charged > x.charged ? 1 : y.charged < x.charged ? -1 : x.name.localeCompare(y.name);

/** Most series a dynamic split draws before folding the rest into "other". */
export const MAX_SPLIT_SERIES = 7;

/**
 * Daily points for a dynamic split: `ranked` (largest first) names the groups; the first MAX_SPLIT_SERIES
 * get keys s0…s6, the rest share "other". Keys are synthetic so names and ids never become data paths.
 */
function dailySplit<R extends { day: string; charged: bigint }>(
  rows: R[],
  range: DayRange,
  ranked: Array<{ id: string; name: string }>,
  idOf: (r: R) => string,
  otherLabel: string,
): DailySplit {
  const own = ranked.slice(0, MAX_SPLIT_SERIES);
  const keyOf = new Map(own.map((g, i) => [g.id, `s${i}`]));
  const keys = own.map((g, i) => ({ key: `s${i}`, label: g.name }));
  if (ranked.length > own.length) keys.push({ key: "other", label: otherLabel });
  const byDay = new Map<string, Record<string, number>>();
  for (const d of eachDay(range.from, range.to)) byDay.set(d, Object.fromEntries(keys.map((k) => [k.key, 0])));
  for (const r of rows) {
    const point = byDay.get(r.day);
    if (point) point[keyOf.get(idOf(r)) ?? "other"] += num(r.charged);
  }
  return { keys, points: [...byDay].map(([day, p]) => ({ day, ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, round6(v)])) })) };
}

/** Sums the rollup rows of a range into every split of the page. Pure, so it is unit-tested. */
export function summarize(rows: ReportRow[], range: DayRange): UsageReport {
  const total = acc();
  const cat = new Map<string, Acc>();
  const type = new Map<string, Acc>();
  const bot = new Map<string, Acc & { name: string; botType: BotTypeKey | "none"; botId: string | null }>();
  const pool = new Map<string, Acc>();
  const day = new Map<string, Acc>();
  const seriesByDay = new Map<string, Record<string, number>>();
  const blank = () => Object.fromEntries([...CATEGORY_KEYS, "other", ...BOT_TYPE_KEYS, "none", ...POOL_KEYS].map((k) => [k, 0]));
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
      point[r.pool] += num(r.charged);
    }
  }

  const round = round6;
  const rankedBots = [...bot.values()].sort(byChargedDesc);
  return {
    range,
    empty: rows.length === 0,
    totals: { charged: fmt(total.charged), uncollected: fmt(total.uncollected), cost: fmt(total.cost), events: total.events, answers: total.answers, avgPerAnswer: avgStr(total) },
    series: [...seriesByDay].map(([d, p]) => ({ day: d, ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, round(v)])) }) as UsageReport["series"][number]),
    botSeries: dailySplit(
      rows,
      range,
      rankedBots.map((b) => ({ id: b.botId ?? "none", name: b.name })),
      (r) => r.botId ?? "none",
      "Other bots",
    ),
    byCategory: [...CATEGORY_KEYS, "other" as const]
      .filter((k) => cat.has(k))
      .map((k) => ({ category: k, charged: fmt(cat.get(k)!.charged), events: cat.get(k)!.events, share: percent(cat.get(k)!.charged, total.charged) })),
    byBotType: [...BOT_TYPE_KEYS, "none" as const]
      .filter((k) => type.has(k) || k !== "none")
      .map((k) => {
        const a = type.get(k) ?? acc();
        return { botType: k, charged: fmt(a.charged), uncollected: fmt(a.uncollected), events: a.events, answers: a.answers, avgPerAnswer: avgStr(a) };
      }),
    byBot: rankedBots.map((a) => ({ botId: a.botId, name: a.name, botType: a.botType, charged: fmt(a.charged), uncollected: fmt(a.uncollected), events: a.events, answers: a.answers, avgPerAnswer: avgStr(a) })),
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
/** The sub-account split's CSV: the same columns with the sub-account second. */
export const SUB_ACCOUNT_CSV_HEADER = ["day", "sub_account", ...CSV_HEADER.slice(1)] as const;

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

// ---------------------------------------------------------------------------------------------------
// The agency's split by sub-account (SPEC §8, §11): only an agency's admins, only its own sub-accounts.

export interface SubAccountReportRow extends ReportRow {
  subAccountId: string;
  subAccountName: string;
}

export interface SubAccountReport {
  range: DayRange;
  totals: { charged: string; uncollected: string; events: number; answers: number };
  /** Every sub-account of the agency (those without usage at zero), largest first. */
  subAccounts: Array<{
    id: string;
    name: string;
    status: "active" | "suspended";
    charged: string;
    uncollected: string;
    events: number;
    answers: number;
    avgPerAnswer: string | null;
    /** Share of all sub-accounts' credits, in percent. */
    share: number;
    /** Category mix: what this sub-account's credits went to, in percent of its own credits. */
    categories: Array<{ category: CategoryKey | "other"; charged: string; share: number }>;
    /** Bot-type mix (language model vs coding), in percent of its own credits. */
    botTypes: Array<{ botType: BotTypeKey | "none"; charged: string; share: number }>;
  }>;
  /** Credits per day per sub-account (the largest, the rest as "other"). */
  daily: DailySplit;
}

/**
 * The split is the agency's alone: the current org must be an agency (not a sub-account) that the caller
 * administers. Not able to see the org at all → 404 (as upstream); a sub-account (also when an agency admin
 * works inside it), an owner org, or a mere member → 400 on `split`, never data.
 */
export async function requireSubAccountSplit(db: DbOrTx, actor: { userId: string; orgId: string }): Promise<{ id: string; name: string }> {
  const splitNotHere = () => new InvalidInputError("split", "Usage by sub-account is only available in an agency's own view, to its admins");
  try {
    return await requireAgencyAdmin(db, actor);
  } catch (e) {
    if (e instanceof ForbiddenError) throw splitNotHere();
    // An agency admin inside one of its sub-accounts has no membership there, so requireAgencyAdmin says 404;
    // they may see that organization, so the 404 would hide the real mistake (asking for the split here).
    if (e instanceof NotFoundError && isUuid(actor.orgId) && isUuid(actor.userId) && (await findOrgAccess(db, actor.userId, actor.orgId))) throw splitNotHere();
    throw e;
  }
}

/**
 * One grouped query over usage_daily for organization_id in the agency's sub-accounts (joined to their
 * names and bots). Sub-accounts without usage in the range come back once with `day` null, so they are
 * listed at zero; they are not rows of the CSV.
 */
export async function loadSubAccountRows(
  db: DbOrTx,
  agencyId: string,
  range: DayRange,
): Promise<{ subAccounts: Array<{ id: string; name: string; status: "active" | "suspended" }>; rows: SubAccountReportRow[] }> {
  const result = (await db.execute(sql`
    select o.id as sub_account_id, o.name as sub_account_name, o.status::text as status,
           d.day::text as day, d.bot_id, b.name as bot_name, b.type::text as bot_type, d.category::text as category, d.pool::text as pool,
           sum(d.cost)::text as cost, sum(d.charged)::text as charged, sum(d.uncollected)::text as uncollected, sum(d.events)::bigint::text as events
      from organizations o
      left join usage_daily d on d.organization_id = o.id and d.day >= ${range.from}::date and d.day <= ${range.to}::date
      left join bots b on b.id = d.bot_id
     where o.parent_id = ${agencyId}
     group by o.id, o.name, o.status, d.day, d.bot_id, b.name, b.type, d.category, d.pool
     order by d.day nulls first, o.name, o.id, b.name nulls last, d.category nulls last, d.pool`)) as unknown as Record<string, string | null>[];
  const subAccounts = new Map<string, { id: string; name: string; status: "active" | "suspended" }>();
  const rows: SubAccountReportRow[] = [];
  for (const r of result) {
    const id = r.sub_account_id!;
    if (!subAccounts.has(id)) subAccounts.set(id, { id, name: r.sub_account_name!, status: r.status as "active" | "suspended" });
    if (r.day === null) continue;
    rows.push({
      subAccountId: id,
      subAccountName: r.sub_account_name!,
      day: r.day,
      botId: r.bot_id,
      botName: r.bot_name,
      botType: r.bot_type as BotTypeKey | null,
      category: r.category as CategoryKey | null,
      pool: r.pool as PoolKey,
      cost: BigInt(r.cost!),
      charged: BigInt(r.charged!),
      uncollected: BigInt(r.uncollected!),
      events: Number(r.events),
    });
  }
  return { subAccounts: [...subAccounts.values()], rows };
}

/** Sums the sub-accounts' rollup rows: each one's total, category and bot-type mix, and the daily split. Pure. */
export function summarizeSubAccounts(
  subAccounts: Array<{ id: string; name: string; status: "active" | "suspended" }>,
  rows: SubAccountReportRow[],
  range: DayRange,
): SubAccountReport {
  const total = acc();
  const per = new Map(subAccounts.map((s) => [s.id, { ...s, a: acc(), cat: new Map<string, Acc>(), type: new Map<string, Acc>() }]));
  for (const r of rows) {
    const s = per.get(r.subAccountId);
    if (!s) continue;
    add(total, r);
    add(s.a, r);
    const c = r.category ?? "other";
    const t = r.botType ?? "none";
    if (!s.cat.has(c)) s.cat.set(c, acc());
    add(s.cat.get(c)!, r);
    if (!s.type.has(t)) s.type.set(t, acc());
    add(s.type.get(t)!, r);
  }
  const ranked = [...per.values()].map((s) => ({ ...s, charged: s.a.charged })).sort(byChargedDesc);
  return {
    range,
    totals: { charged: fmt(total.charged), uncollected: fmt(total.uncollected), events: total.events, answers: total.answers },
    subAccounts: ranked.map((s) => ({
      id: s.id,
      name: s.name,
      status: s.status,
      charged: fmt(s.a.charged),
      uncollected: fmt(s.a.uncollected),
      events: s.a.events,
      answers: s.a.answers,
      avgPerAnswer: avgStr(s.a),
      share: percent(s.a.charged, total.charged),
      categories: [...CATEGORY_KEYS, "other" as const]
        .filter((k) => s.cat.has(k))
        .map((k) => ({ category: k, charged: fmt(s.cat.get(k)!.charged), share: percent(s.cat.get(k)!.charged, s.a.charged) })),
      botTypes: [...BOT_TYPE_KEYS, "none" as const]
        .filter((k) => s.type.has(k))
        .map((k) => ({ botType: k, charged: fmt(s.type.get(k)!.charged), share: percent(s.type.get(k)!.charged, s.a.charged) })),
    })),
    daily: dailySplit(rows, range, ranked, (r) => r.subAccountId, "Other sub-accounts"),
  };
}

/** The agency's report split by sub-account; refuses anyone but an agency's admin (see requireSubAccountSplit). */
export async function getSubAccountReport(db: DbOrTx, actor: { userId: string; orgId: string }, range: DayRange): Promise<SubAccountReport> {
  const agency = await requireSubAccountSplit(db, actor);
  const { subAccounts, rows } = await loadSubAccountRows(db, agency.id, range);
  return summarizeSubAccounts(subAccounts, rows, range);
}

/** The sub-account split's CSV: one line per day × sub-account × bot × category × pool, oldest day first. */
export function toSubAccountCsv(rows: SubAccountReportRow[]): string {
  const lines = [SUB_ACCOUNT_CSV_HEADER.join(",")];
  for (const r of rows) {
    lines.push(
      [r.day, r.subAccountName, r.botName ?? "", r.botType ?? "", r.category ?? "", r.pool, r.events, fmt(r.charged), fmt(r.uncollected), fmt(r.cost)]
        .map(csvCell)
        .join(","),
    );
  }
  return lines.join("\r\n") + "\r\n";
}
