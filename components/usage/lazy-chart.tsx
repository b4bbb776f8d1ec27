"use client";
import { startTransition, useEffect, useRef, useState } from "react";
import { Skeleton } from "@/components/ui/skeleton";
import { presentSeries, type DailyPoints, type SeriesDef } from "./charts-shared";
import type { StackedDailyChart as Chart } from "./charts";

/** Recharts (the heaviest script of the dashboard) is fetched once, on first need. */
let chartModule: Promise<typeof Chart> | null = null;
const loadChart = () => (chartModule ??= import("./charts").then((m) => m.StackedDailyChart));

/**
 * The Recharts component once the page has been idle after its first paint (requestIdleCallback, else a
 * short timeout) and the chart's script has loaded: the report's numbers and tables render and hydrate
 * first; the chart then mounts as a transition, without suspending.
 */
function useChartAfterIdle(): typeof Chart | null {
  const [chart, setChart] = useState<{ C: typeof Chart } | null>(null);
  useEffect(() => {
    if (chart) return;
    let cancelled = false;
    const go = () =>
      void loadChart().then((C) => {
        if (!cancelled) startTransition(() => setChart({ C }));
      });
    let cancel: () => void;
    if (typeof window.requestIdleCallback === "function") {
      const id = window.requestIdleCallback(go, { timeout: 2500 });
      cancel = () => window.cancelIdleCallback(id);
    } else {
      const id = setTimeout(go, 300);
      cancel = () => clearTimeout(id);
    }
    return () => {
      cancelled = true;
      cancel();
    };
  }, [chart]);
  return chart?.C ?? null;
}

/** The element's size once it has come within 200px of the viewport (the chart is drawn at that size). */
function useSizeNearViewport(ref: React.RefObject<HTMLElement | null>): { width: number; height: number } | null {
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || size) return;
    const measure = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    if (typeof IntersectionObserver === "undefined") {
      const id = setTimeout(measure, 0);
      return () => clearTimeout(id);
    }
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          measure();
          io.disconnect();
        }
      },
      { rootMargin: "200px" },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [ref, size]);
  // Follow later resizes (rotation, sidebar), after the first draw.
  useEffect(() => {
    const el = ref.current;
    if (!el || !size || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => {
      if (el.clientWidth !== size.width || el.clientHeight !== size.height) setSize({ width: el.clientWidth, height: el.clientHeight });
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref, size]);
  return size;
}

/**
 * The chart of one split: its legend (HTML, at once), and a skeleton of the same size until the page is
 * idle and the chart is near the viewport, then the Recharts chart. Its text alternative names the
 * series; the numbers are in the tables.
 */
export function DeferredChart({ data, series, title }: { data: DailyPoints; series: SeriesDef[]; title: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const Chart = useChartAfterIdle();
  const size = useSizeNearViewport(ref);
  const present = presentSeries(data, series);
  return (
    <figure className="grid gap-2">
      <div
        ref={ref}
        className="h-72 w-full"
        role="img"
        aria-label={`${title}: credits per day, stacked by ${present.map((s) => s.label).join(", ") || "nothing yet"}. The numbers are in the tables below.`}
      >
        {/* Chart is the one module-level component (loaded once), not a component created per render. */}
        {/* eslint-disable-next-line react-hooks/static-components */}
        {Chart && size && size.width > 0 ? <Chart data={data} series={series} width={size.width} height={size.height} /> : <Skeleton className="h-full w-full" />}
      </div>
      <figcaption>
        <ul className="flex flex-wrap justify-center gap-x-4 gap-y-1 text-xs" data-testid="chart-legend" aria-label="Legend">
          {present.map((s) => (
            <li key={s.key} className="flex items-center gap-1.5">
              <span aria-hidden className="inline-block size-2.5 rounded-sm" style={{ backgroundColor: s.color }} />
              {s.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
