/** What the chart and its deferred wrapper share, kept out of the Recharts chunk. */
export interface SeriesDef {
  key: string;
  label: string;
  color: string;
}

/** One point per day: `day` and one number per series key. */
export type DailyPoints = ReadonlyArray<Record<string, string | number>>;

/** Series that have at least one non-zero day: the only ones drawn (and named in the text alternative). */
export function presentSeries(data: DailyPoints, series: SeriesDef[]): SeriesDef[] {
  return series.filter((s) => data.some((p) => typeof p[s.key] === "number" && p[s.key] !== 0));
}

/** Colours for dynamic splits (bots, sub-accounts), in rank order; the last is for "other". */
export const SPLIT_COLORS = ["#4f46e5", "#059669", "#d97706", "#0891b2", "#9333ea", "#dc2626", "#65a30d"];
export const OTHER_COLOR = "#9ca3af";
