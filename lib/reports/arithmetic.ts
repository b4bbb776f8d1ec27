/**
 * Pure arithmetic of the reports (no I/O): ranges of UTC days, burn rate and runway, filling daily
 * series, averages. Amounts are bigint micro-credits; only ratios for display become numbers.
 */
import { InvalidInputError } from "@/lib/errors";

export const DAY_MS = 86_400_000;
export const RANGE_PRESETS = [7, 30, 90] as const;
export const MAX_RANGE_DAYS = 366;

/** "2026-05-18" of a Date, in UTC (usage_daily.day is the UTC date of occurred_at). */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

export function daysBetweenInclusive(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** Every UTC day from `from` to `to`, inclusive. */
export function eachDay(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export interface DayRange {
  from: string;
  to: string;
  days: number;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The report range: `days` (7/30/90, ending today) or a custom `from`..`to` (inclusive UTC dates,
 * at most a year, not after today). Bad input → InvalidInputError naming the field.
 */
export function parseRange(params: { days?: string | null; from?: string | null; to?: string | null }, now: Date): DayRange {
  const today = utcDay(now);
  if (params.from || params.to) {
    const { from, to } = params;
    if (!from || !DAY_RE.test(from) || Number.isNaN(Date.parse(from))) throw new InvalidInputError("from", "from must be a date like 2026-05-01");
    if (!to || !DAY_RE.test(to) || Number.isNaN(Date.parse(to))) throw new InvalidInputError("to", "to must be a date like 2026-05-31");
    if (from > to) throw new InvalidInputError("from", "from must not be after to");
    const days = daysBetweenInclusive(from, to);
    if (days > MAX_RANGE_DAYS) throw new InvalidInputError("from", `a range may span at most ${MAX_RANGE_DAYS} days`);
    return { from, to, days };
  }
  const days = params.days == null || params.days === "" ? 30 : Number(params.days);
  if (!Number.isInteger(days) || days < 1 || days > MAX_RANGE_DAYS) throw new InvalidInputError("days", `days must be a whole number from 1 to ${MAX_RANGE_DAYS}`);
  return { from: addDays(today, -(days - 1)), to: today, days };
}

/** First day of the UTC calendar month of `now` (the period of plans and free reserves). */
export function periodStart(now: Date): string {
  return `${utcDay(now).slice(0, 7)}-01`;
}

export interface Runway {
  /** µc per day, averaged over the window (integer division, rounded down). */
  burnPerDay: bigint;
  /** Whole days until available reaches zero at that rate; null when nothing is being spent. */
  days: number | null;
  /** The UTC day it runs out; null when nothing is being spent. */
  emptyOn: string | null;
}

/**
 * Burn rate over the last `windowDays` and runway: days = floor(available / burnPerDay).
 * Nothing available → 0 days (empty today). No spending → null (no end in sight).
 */
export function runway(spentInWindow: bigint, windowDays: number, available: bigint, now: Date): Runway {
  if (windowDays <= 0) throw new InvalidInputError("windowDays", "windowDays must be positive");
  const burnPerDay = spentInWindow > 0n ? spentInWindow / BigInt(windowDays) : 0n;
  if (available <= 0n) return { burnPerDay, days: 0, emptyOn: utcDay(now) };
  if (burnPerDay <= 0n) return { burnPerDay, days: null, emptyOn: null };
  const days = Number(available / burnPerDay);
  return { burnPerDay, days, emptyOn: utcDay(new Date(now.getTime() + days * DAY_MS)) };
}

/** Whole days from `now` until `at` (ceil; 0 when already past). */
export function daysUntil(at: Date, now: Date): number {
  return Math.max(0, Math.ceil((at.getTime() - now.getTime()) / DAY_MS));
}

/** total / count in µc, rounded half up; null when count is 0. */
export function averageMicro(total: bigint, count: bigint | number): bigint | null {
  const n = BigInt(count);
  if (n <= 0n) return null;
  return (total + n / 2n) / n;
}

/** Share of `part` in `whole` in percent with one decimal (display only). */
export function percent(part: bigint, whole: bigint): number {
  if (whole <= 0n) return 0;
  return Number((part * 1000n + whole / 2n) / whole) / 10;
}
