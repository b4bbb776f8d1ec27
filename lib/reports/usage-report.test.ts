import { describe, expect, it } from "vitest";
import { summarize, toCsv, CSV_HEADER, type ReportRow } from "./usage-report";

const C = 1_000_000n;
const row = (p: Partial<ReportRow>): ReportRow => ({
  day: "2026-05-10",
  botId: "b1",
  botName: "Helpdesk",
  botType: "language_model",
  category: "llm",
  pool: "owner",
  cost: 0n,
  charged: 0n,
  uncollected: 0n,
  events: 0,
  ...p,
});

describe("summarize (the rollup arithmetic of Usage & Reports)", () => {
  const range = { from: "2026-05-09", to: "2026-05-11", days: 3 };
  const rows = [
    row({ category: "llm", cost: 4n * C, charged: 4n * C, events: 1000 }),
    row({ category: "web_search", cost: 1n * C, charged: 1n * C, events: 100 }),
    row({ day: "2026-05-11", botId: "b2", botName: "CodePilot", botType: "coding", category: "llm", cost: 6n * C, charged: 5n * C, uncollected: 1n * C, events: 500 }),
    row({ day: "2026-05-11", botId: "b2", botName: "CodePilot", botType: "coding", category: "code_artifact", cost: 3n * C, charged: 3n * C, events: 100 }),
    row({ day: "2026-05-11", botId: "b2", botName: "CodePilot", botType: "coding", category: "training", pool: "owner", cost: 2n * C, charged: 2n * C, events: 1 }),
    row({ day: "2026-05-11", category: "llm", pool: "end_user", cost: 1n * C, charged: 1n * C, events: 100 }),
  ];
  const r = summarize(rows, range);

  it("totals are exact sums of the groups", () => {
    expect(r.totals).toMatchObject({ charged: "16", uncollected: "1", cost: "17", events: 1801, answers: 1700 });
  });
  it("splits by category, bot type, bot and pool add up to the total", () => {
    expect(r.byCategory.map((c) => [c.category, c.charged])).toEqual([["llm", "10"], ["web_search", "1"], ["code_artifact", "3"], ["training", "2"]]);
    expect(r.byBotType.map((t) => [t.botType, t.charged])).toEqual([["language_model", "6"], ["coding", "10"]]);
    expect(r.byBot.map((b) => b.name)).toEqual(["CodePilot", "Helpdesk"]);
    expect(r.byPool.map((p) => [p.pool, p.charged])).toEqual([["owner", "15"], ["end_user", "1"]]);
  });
  it("average per answer counts searches in and training out; coding answers cost more", () => {
    const lm = r.byBotType.find((t) => t.botType === "language_model")!;
    const coding = r.byBotType.find((t) => t.botType === "coding")!;
    expect(lm.answers).toBe(1100);
    expect(lm.avgPerAnswer).toBe("0.005455"); // 6 credits / 1100 answers
    expect(coding.answers).toBe(600);
    expect(coding.avgPerAnswer).toBe("0.015"); // 9 credits (training excluded) / 600
  });
  it("the daily series has every day of the range, zeros filled", () => {
    expect(r.series.map((s) => s.day)).toEqual(["2026-05-09", "2026-05-10", "2026-05-11"]);
    expect(r.series[0].llm).toBe(0);
    expect(r.series[1]).toMatchObject({ llm: 4, web_search: 1, language_model: 5, coding: 0 });
    expect(r.series[2]).toMatchObject({ llm: 6, code_artifact: 3, training: 2, coding: 10, language_model: 1 });
  });
  it("an empty range is empty, with both bot types at zero", () => {
    const e = summarize([], range);
    expect(e.empty).toBe(true);
    expect(e.totals.avgPerAnswer).toBeNull();
    expect(e.byBotType.map((t) => t.charged)).toEqual(["0", "0"]);
  });
  it("CSV has the header and one line per group; names are quoted and defused", () => {
    const csv = toCsv([...rows, row({ botName: '=HYPERLINK("x"),1', events: 1, cost: 1n, charged: 1n })]);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(CSV_HEADER.join(","));
    expect(lines).toHaveLength(rows.length + 2);
    expect(lines[1]).toBe("2026-05-10,Helpdesk,language_model,llm,owner,1000,4,0,4");
    expect(lines.at(-1)).toContain(`"'=HYPERLINK(""x""),1"`);
  });
});
