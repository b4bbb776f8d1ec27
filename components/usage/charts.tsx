"use client";
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { presentSeries, type DailyPoints, type SeriesDef } from "./charts-shared";

const tickDay = (day: string) => day.slice(5);
const fmt = (v: unknown) => (typeof v === "number" ? v.toLocaleString("en-US", { maximumFractionDigits: 4 }) : String(v));
const MARGIN = { top: 8, right: 8, bottom: 0, left: 0 };
/** About six day labels on the X axis, picked by count so Recharts need not measure every label. */
const X_LABELS = 6;

/**
 * A stacked bar chart of credits per day (Recharts), kept cheap to mount: drawn once at the size its
 * container already has (no resize pass), no animation, axis ticks chosen without measuring text, and
 * the legend is plain HTML next to it (see DeferredChart) rather than a Recharts legend that measures
 * itself and re-renders the chart.
 */
export function StackedDailyChart({ data, series, width, height }: { data: DailyPoints; series: SeriesDef[]; width: number; height: number }) {
  const present = presentSeries(data, series);
  return (
    <BarChart width={width} height={height} data={data as Array<Record<string, string | number>>} margin={MARGIN} accessibilityLayer={false}>
      <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
      <XAxis dataKey="day" tickFormatter={tickDay} fontSize={12} interval={Math.max(0, Math.ceil(data.length / X_LABELS) - 1)} />
      <YAxis fontSize={12} width={56} tickFormatter={fmt} interval={0} />
      <Tooltip formatter={(v) => fmt(v)} labelFormatter={(l) => String(l)} isAnimationActive={false} />
      {present.map((s) => (
        <Bar key={s.key} dataKey={s.key} name={s.label} stackId="credits" fill={s.color} isAnimationActive={false} />
      ))}
    </BarChart>
  );
}
