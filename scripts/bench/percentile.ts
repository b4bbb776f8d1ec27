/** The p-th percentile (0–100) of ascending `sorted` by nearest rank (0 when empty): one rule for every bench. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
