"use client";
import dynamic from "next/dynamic";
import { useEffect, useRef, useState } from "react";
import { Skeleton } from "@/components/ui/skeleton";
import type { SeriesDef } from "./charts";
import type { UsageReport } from "@/lib/reports/usage-report";

const StackedDailyChart = dynamic(() => import("./charts").then((m) => m.StackedDailyChart), {
  ssr: false,
  loading: () => <Skeleton className="h-72 w-full" />,
});

/**
 * Loads and draws the Recharts chart only when it comes near the viewport: Recharts is the heaviest
 * script of the dashboard, and a chart below the fold should not block the first interaction.
 */
export function LazyChart(props: { data: UsageReport["series"]; series: SeriesDef[]; title: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || visible) return;
    if (typeof IntersectionObserver === "undefined") {
      const id = setTimeout(() => setVisible(true), 0);
      return () => clearTimeout(id);
    }
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setVisible(true);
          io.disconnect();
        }
      },
      { rootMargin: "200px" },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [visible]);
  return <div ref={ref}>{visible ? <StackedDailyChart {...props} /> : <Skeleton className="h-72 w-full" />}</div>;
}
