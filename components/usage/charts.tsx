"use client";
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";

import { presentSeries, type DailyPoints, type SeriesDef } from "./charts-shared";

const tickDay = (day: string) => day.slice(5);
const fmt = (v: unknown) => (typeof v === "number" ? v.toLocaleString("en-US", { maximumFractionDigits: 4 }) : String(v));
const MARGIN = { top: 8, right: 8, bottom: 0, left: 0 };
const LEGEND_STYLE = { fontSize: 12 };
const CHART_STYLE = { width: "100%", height: "100%" };

/**
 * A stacked bar chart of credits per day (Recharts), drawn once without animation: no per-frame
 * re-renders, and only the chart's own resize observer (`responsive`, no ResponsiveContainer wrapper).
 */
export function StackedDailyChart({ data, series }: { data: DailyPoints; series: SeriesDef[] }) {
  const present = presentSeries(data, series);
  return (
    <BarChart responsive style={CHART_STYLE} data={data as Array<Record<string, string | number>>} margin={MARGIN} accessibilityLayer={false}>
      <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
      <XAxis dataKey="day" tickFormatter={tickDay} fontSize={12} minTickGap={16} />
      <YAxis fontSize={12} width={56} tickFormatter={fmt} />
      <Tooltip formatter={(v) => fmt(v)} labelFormatter={(l) => String(l)} isAnimationActive={false} />
      <Legend wrapperStyle={LEGEND_STYLE} />
      {present.map((s) => (
        <Bar key={s.key} dataKey={s.key} name={s.label} stackId="credits" fill={s.color} isAnimationActive={false} />
      ))}
    </BarChart>
  );
}
