"use client";
import dynamic from "next/dynamic";
import { startTransition, useEffect, useRef, useState } from "react";
import { Skeleton } from "@/components/ui/skeleton";
import { presentSeries, type DailyPoints, type SeriesDef } from "./charts-shared";

const StackedDailyChart = dynamic(() => import("./charts").then((m) => m.StackedDailyChart), {
  ssr: false,
  loading: () => <Skeleton className="h-full w-full" />,
});

/**
 * True once the browser has been idle after the first paint (requestIdleCallback, else a short timeout):
 * the report's numbers and tables render and hydrate first, and Recharts (the heaviest script of the
 * dashboard) is fetched and drawn only afterwards, as a transition React may interrupt.
 */
function useAfterIdle(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (ready) return;
    const go = () => startTransition(() => setReady(true));
    if (typeof window.requestIdleCallback === "function") {
      const id = window.requestIdleCallback(go, { timeout: 2500 });
      return () => window.cancelIdleCallback(id);
    }
    const id = setTimeout(go, 300);
    return () => clearTimeout(id);
  }, [ready]);
  return ready;
}

/** True once the element has come within 200px of the viewport. */
function useNearViewport(ref: React.RefObject<HTMLElement | null>): boolean {
  const [near, setNear] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || near) return;
    if (typeof IntersectionObserver === "undefined") {
      const id = setTimeout(() => setNear(true), 0);
      return () => clearTimeout(id);
    }
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setNear(true);
          io.disconnect();
        }
      },
      { rootMargin: "200px" },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [ref, near]);
  return near;
}

/**
 * The chart of one split: a skeleton of the same size until the page is idle and the chart is near the
 * viewport, then the Recharts chart. Its text alternative names the series; the numbers are in the tables.
 */
export function DeferredChart({ data, series, title }: { data: DailyPoints; series: SeriesDef[]; title: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const idle = useAfterIdle();
  const near = useNearViewport(ref);
  const present = presentSeries(data, series);
  return (
    <div
      ref={ref}
      className="h-72 w-full"
      role="img"
      aria-label={`${title}: credits per day, stacked by ${present.map((s) => s.label).join(", ") || "nothing yet"}. The numbers are in the tables below.`}
    >
      {idle && near ? <StackedDailyChart data={data} series={series} /> : <Skeleton className="h-full w-full" />}
    </div>
  );
}
