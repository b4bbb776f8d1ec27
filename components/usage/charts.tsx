"use client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { UsageReport } from "@/lib/reports/usage-report";

export interface SeriesDef {
  key: string;
  label: string;
  color: string;
}

const tickDay = (day: string) => day.slice(5);
const fmt = (v: unknown) => (typeof v === "number" ? v.toLocaleString("en-US", { maximumFractionDigits: 4 }) : String(v));

/** A stacked bar chart of credits per day (Recharts); only series that have data are drawn. */
export function StackedDailyChart({ data, series, title }: { data: UsageReport["series"]; series: SeriesDef[]; title: string }) {
  const present = series.filter((s) => data.some((p) => (p as Record<string, number | string>)[s.key] !== 0));
  return (
    <div className="h-72 w-full" role="img" aria-label={`${title}: credits per day, stacked by ${present.map((s) => s.label).join(", ") || "nothing yet"}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
          <XAxis dataKey="day" tickFormatter={tickDay} fontSize={12} minTickGap={16} />
          <YAxis fontSize={12} width={56} tickFormatter={fmt} />
          <Tooltip formatter={(v) => fmt(v)} labelFormatter={(l) => String(l)} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {present.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="credits" fill={s.color} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
