import { describe, expect, it } from "vitest";
import { addDays, averageMicro, daysUntil, eachDay, parseRange, percent, periodStart, runway } from "./arithmetic";
import { estimateCredits, toPercentages } from "./estimate";

const NOW = new Date("2026-05-18T12:00:00Z");
const C = 1_000_000n;

describe("ranges of UTC days", () => {
  it("presets end today and include it", () => {
    expect(parseRange({ days: "7" }, NOW)).toEqual({ from: "2026-05-12", to: "2026-05-18", days: 7 });
    expect(parseRange({}, NOW)).toEqual({ from: "2026-04-19", to: "2026-05-18", days: 30 });
    expect(parseRange({ days: "90" }, NOW).from).toBe("2026-02-18");
  });
  it("custom ranges are inclusive and validated, naming the field", () => {
    expect(parseRange({ from: "2026-05-01", to: "2026-05-03" }, NOW)).toEqual({ from: "2026-05-01", to: "2026-05-03", days: 3 });
    expect(() => parseRange({ from: "2026-05-04", to: "2026-05-03" }, NOW)).toThrow(/from/);
    expect(() => parseRange({ from: "yesterday", to: "2026-05-03" }, NOW)).toThrow(/from/);
    expect(() => parseRange({ from: "2026-05-01" }, NOW)).toThrow(/to/);
    expect(() => parseRange({ days: "0" }, NOW)).toThrow(/days/);
    expect(() => parseRange({ days: "abc" }, NOW)).toThrow(/days/);
    expect(() => parseRange({ from: "2020-01-01", to: "2026-01-01" }, NOW)).toThrow(/366/);
  });
  it("days cross month and leap-year boundaries", () => {
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(eachDay("2026-01-30", "2026-02-02")).toEqual(["2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02"]);
    expect(periodStart(NOW)).toBe("2026-05-01");
  });
});

describe("burn rate and runway", () => {
  it("burn = spent over the window / days; runway = floor(available / burn)", () => {
    const r = runway(70n * C, 7, 95n * C, NOW);
    expect(r.burnPerDay).toBe(10n * C);
    expect(r.days).toBe(9);
    expect(r.emptyOn).toBe("2026-05-27");
  });
  it("rounds the burn down to whole µc and never uses floats", () => {
    const r = runway(1n, 7, 1n, NOW); // less than 1 µc a day
    expect(r).toEqual({ burnPerDay: 0n, days: null, emptyOn: null });
    const big = runway(7_000_000_000_000n * C, 7, 9_007_199_254_740_993n, NOW);
    expect(big.burnPerDay).toBe(1_000_000_000_000n * C);
    expect(big.days).toBe(0);
  });
  it("no spending → no end in sight; nothing available → empty today", () => {
    expect(runway(0n, 7, 100n * C, NOW)).toEqual({ burnPerDay: 0n, days: null, emptyOn: null });
    expect(runway(14n * C, 7, 0n, NOW)).toEqual({ burnPerDay: 2n * C, days: 0, emptyOn: "2026-05-18" });
    expect(runway(14n * C, 7, -5n, NOW).days).toBe(0);
  });
  it("days until an expiry round up and never go negative", () => {
    expect(daysUntil(new Date("2026-05-21T12:00:00Z"), NOW)).toBe(3);
    expect(daysUntil(new Date("2026-05-21T11:00:00Z"), NOW)).toBe(3);
    expect(daysUntil(new Date("2026-05-01T00:00:00Z"), NOW)).toBe(0);
  });
  it("averages and shares", () => {
    expect(averageMicro(10n, 4)).toBe(3n); // 2.5 → 3 (half up)
    expect(averageMicro(10n, 0)).toBeNull();
    expect(percent(1n, 3n)).toBe(33.3);
    expect(percent(5n, 0n)).toBe(0);
  });
});

describe("calculator arithmetic", () => {
  const cost = { llm: "0.004", web_search: "0.01", speech_to_text: "0.006", code_artifact: "0.03" };
  it("conversations × answers × mix-weighted cost, exactly", () => {
    const e = estimateCredits({ conversationsPerMonth: 1000, answersPerConversation: 5, mix: { llm: 80, web_search: 20, speech_to_text: 0, code_artifact: 0 }, costPerEvent: cost, available: "0", bufferPercent: 0 });
    // per answer 0.8×0.004 + 0.2×0.01 = 0.0052; × 5000 = 26
    expect(e).toMatchObject({ answersPerMonth: 5000, perAnswer: "0.0052", perMonth: "26", suggestedTopUp: "30" });
  });
  it("coding costs more per answer than a language model with the same counts", () => {
    const mix = { llm: 70, web_search: 0, speech_to_text: 0, code_artifact: 30 };
    const lm = estimateCredits({ conversationsPerMonth: 10, answersPerConversation: 1, mix, costPerEvent: cost, available: "0" });
    const coding = estimateCredits({ conversationsPerMonth: 10, answersPerConversation: 1, mix, costPerEvent: { ...cost, llm: "0.012" }, available: "0" });
    expect(Number(coding.perMonth)).toBeGreaterThan(Number(lm.perMonth));
  });
  it("suggests nothing when available covers the month plus buffer", () => {
    const e = estimateCredits({ conversationsPerMonth: 100, answersPerConversation: 1, mix: { llm: 100, web_search: 0, speech_to_text: 0, code_artifact: 0 }, costPerEvent: cost, available: "1" });
    expect(e.perMonth).toBe("0.4");
    expect(e.suggestedTopUp).toBe("0");
  });
  it("an empty mix or zero conversations is zero, not NaN", () => {
    expect(estimateCredits({ conversationsPerMonth: 0, answersPerConversation: 3, mix: { llm: 100, web_search: 0, speech_to_text: 0, code_artifact: 0 }, costPerEvent: cost, available: "0" }).perMonth).toBe("0");
    expect(estimateCredits({ conversationsPerMonth: 5, answersPerConversation: 3, mix: { llm: 0, web_search: 0, speech_to_text: 0, code_artifact: 0 }, costPerEvent: cost, available: "0" }).perMonth).toBe("0");
  });
  it("mix percentages sum to exactly 100", () => {
    const p = toPercentages({ llm: 1, web_search: 1, speech_to_text: 1, code_artifact: 0 });
    expect(p.llm + p.web_search + p.speech_to_text + p.code_artifact).toBe(100);
    expect(toPercentages({ llm: 0, web_search: 0, speech_to_text: 0, code_artifact: 0 }).llm).toBe(0);
  });
});

describe("describeSales", () => {
  it("puts an end user's paid order in the owner's activity in words, with the visitor's credits", async () => {
    const { describeSales } = await import("./my-credit");
    const [item] = describeSales([{ id: "o1", at: "2026-11-21T10:00:00.000Z", description: "500 credits", credits: "500000000", bonus: "50000000", amount: "2000", currency: "usd", bot_name: "Helpdesk" }]);
    expect(item).toEqual({ id: "order-o1", at: "2026-11-21T10:00:00.000Z", kind: "purchase", text: "Visitor bought 500 credits in Helpdesk · $20.00", delta: "550" });
  });
});
