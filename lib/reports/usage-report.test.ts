import { describe, expect, it } from "vitest";
import { MAX_SPLIT_SERIES, summarize, summarizeSubAccounts, toCsv, toSubAccountCsv, CSV_HEADER, SUB_ACCOUNT_CSV_HEADER, type ReportRow } from "./usage-report";

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
  it("the series also splits by pool, and by bot under synthetic keys", () => {
    expect(r.series[2]).toMatchObject({ owner: 15 - 4 - 1, end_user: 1, free_reserve: 0 });
    expect(r.botSeries.keys).toEqual([
      { key: "s0", label: "CodePilot" },
      { key: "s1", label: "Helpdesk" },
    ]);
    expect(r.botSeries.points[1]).toEqual({ day: "2026-05-10", s0: 0, s1: 5 });
    expect(r.botSeries.points[2]).toEqual({ day: "2026-05-11", s0: 10, s1: 1 });
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

describe("summarizeSubAccounts (the agency's split)", () => {
  const range = { from: "2026-05-10", to: "2026-05-11", days: 2 };
  const subs = Array.from({ length: MAX_SPLIT_SERIES + 2 }, (_, i) => ({ id: `sub${i}`, name: `Client ${i}`, status: "active" as const }));
  const rows = subs.map((s, i) => ({ ...row({ day: "2026-05-11", charged: BigInt(i + 1) * C, cost: BigInt(i + 1) * C, events: 1 }), subAccountId: s.id, subAccountName: s.name }));
  const r = summarizeSubAccounts(subs, rows, range);

  it("ranks sub-accounts by credits and folds the smallest into one series", () => {
    expect(r.subAccounts[0].name).toBe(`Client ${MAX_SPLIT_SERIES + 1}`);
    expect(r.daily.keys).toHaveLength(MAX_SPLIT_SERIES + 1);
    expect(r.daily.keys.at(-1)).toEqual({ key: "other", label: "Other sub-accounts" });
    expect(r.daily.points[1].other).toBe(1 + 2); // Client 0 and Client 1
    expect(r.daily.points[0].s0).toBe(0);
    expect(r.totals.charged).toBe(String(((MAX_SPLIT_SERIES + 2) * (MAX_SPLIT_SERIES + 3)) / 2));
  });
  it("ignores rows of organizations that are not its sub-accounts", () => {
    const x = summarizeSubAccounts(subs.slice(0, 1), rows, range);
    expect(x.subAccounts).toHaveLength(1);
    expect(x.totals.charged).toBe("1");
  });
  it("the CSV names the sub-account second", () => {
    const lines = toSubAccountCsv(rows.slice(0, 1)).trimEnd().split("\r\n");
    expect(lines).toEqual([SUB_ACCOUNT_CSV_HEADER.join(","), "2026-05-11,Client 0,Helpdesk,language_model,llm,owner,1,1,0,1"]);
  });
});
