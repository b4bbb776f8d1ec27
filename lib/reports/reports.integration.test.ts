import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { Credits, debitMany, getBalance, getOrCreateOrgAccount, grantBatch } from "@/lib/ledger";
import { parseRange } from "./arithmetic";
import { getCalculatorDefaults } from "./calculator";
import { getActiveBatches, getMyCredit } from "./my-credit";
import { getUsageReport, loadReportRows, toCsv } from "./usage-report";

const t = useTestDb();
const DAY = 86_400_000;
const NOW = new Date(Date.now());
const c = (s: string) => Credits.parse(s);

let orgId: string;
let otherOrgId: string;
let accountId: string;
let lmBot: string;
let codeBot: string;

beforeAll(async () => {
  const ins = async (name: string) => ((await t.db.execute(sql`insert into organizations (name) values (${name}) returning id`)) as unknown as { id: string }[])[0].id;
  orgId = await ins("Reports Org");
  otherOrgId = await ins("Other Org");
  const bots = (await t.db.execute(
    sql`insert into bots (organization_id, name, type) values (${orgId}, 'Helpdesk', 'language_model'), (${orgId}, 'CodePilot', 'coding') returning id, type`,
  )) as unknown as { id: string; type: string }[];
  lmBot = bots.find((b) => b.type === "language_model")!.id;
  codeBot = bots.find((b) => b.type === "coding")!.id;
  accountId = (await getOrCreateOrgAccount(t.db, orgId)).id;
  const past = new Date(NOW.getTime() - 40 * DAY);
  await grantBatch(t.db, { accountId, type: "paid", source: "top_up", amount: c("100"), now: past });
  await grantBatch(t.db, { accountId, type: "free", source: "signup_bonus", amount: c("5"), now: past, expiresAt: new Date(NOW.getTime() + 3 * DAY) });
  await grantBatch(t.db, { accountId, type: "free", source: "promo", amount: c("2"), now: past, expiresAt: new Date(NOW.getTime() - 1 * DAY) });
  await grantBatch(t.db, { accountId, type: "paid", source: "plan", amount: c("50"), now: past, expiresAt: new Date(NOW.getTime() + 20 * DAY) });
  // 10 days of usage: each day 3 LLM answers in Helpdesk (0.01 each) and 1 coding answer + 1 artifact in CodePilot.
  for (let d = 9; d >= 0; d--) {
    const occurredAt = new Date(NOW.getTime() - d * DAY);
    const res = await debitMany(t.db, [
      ...Array.from({ length: 3 }, () => ({ accountId, amount: c("0.01"), botId: lmBot, category: "llm" as const, occurredAt })),
      { accountId, amount: c("0.05"), botId: codeBot, category: "llm" as const, occurredAt },
      { accountId, amount: c("0.02"), botId: codeBot, category: "code_artifact" as const, occurredAt },
    ], { now: occurredAt });
    expect(res.every((r) => !(r instanceof Error))).toBe(true);
  }
});

describe("reports against the ledger (real Postgres)", () => {
  it("My Credit equals the ledger's balance and burns at the last 7 days' rate", async () => {
    const mine = await getMyCredit(t.db, orgId, NOW);
    const bal = await getBalance(t.db, accountId, { now: NOW });
    expect(mine.available).toBe(Credits.format(bal.available));
    expect(mine.free.balance).toBe(Credits.format(bal.free.balance));
    expect(mine.paid.balance).toBe(Credits.format(bal.paid.balance));
    // 0.1 a day → 7 days 0.7 → 0.1 / day
    expect(mine.burn.perDay).toBe("0.1");
    expect(mine.burn.runwayDays).toBe(Math.floor(Number(mine.available) / 0.1));
    expect(mine.expiringSoon.count).toBe(1);
    expect(mine.autoRecharge.state).toBe("not_set_up");
    expect(mine.activity[0].text).toMatch(/^(Answer in (Helpdesk|CodePilot) · (LLM|Code artifacts))$/);
    expect(mine.activity[0].delta.startsWith("-")).toBe(true);
    expect(mine.activity.some((a) => a.text === "Paid credits added · Plan" && a.delta === "50")).toBe(false); // only the 10 newest
  });

  it("Active Credits: active batches in consumption order, expired ones apart", async () => {
    const { active, inactive } = await getActiveBatches(t.db, orgId, NOW);
    expect(active.map((b) => b.sourceLabel)).toEqual(["Signup bonus", "Plan", "Top-up"].filter((s) => active.some((b) => b.sourceLabel === s)));
    expect(active[0].position).toBe(1);
    expect(inactive.map((b) => [b.sourceLabel, b.status])).toContainEqual(["Promo", "expired"]);
  });

  it("the report sums the rollup: totals, splits, average per answer by bot type", async () => {
    const r = await getUsageReport(t.db, orgId, parseRange({ days: "7" }, NOW));
    expect(r.totals.charged).toBe("0.7");
    expect(r.totals.events).toBe(35);
    const lm = r.byBotType.find((x) => x.botType === "language_model")!;
    const coding = r.byBotType.find((x) => x.botType === "coding")!;
    expect(lm.avgPerAnswer).toBe("0.01");
    expect(coding.avgPerAnswer).toBe("0.035"); // (0.05 + 0.02) / 2 answers
    expect(Number(coding.avgPerAnswer)).toBeGreaterThan(Number(lm.avgPerAnswer));
    const r30 = await getUsageReport(t.db, orgId, parseRange({ days: "30" }, NOW));
    expect(r30.totals.charged).toBe("1");
    // The rollup equals the raw events (what usage_daily promises).
    const [raw] = (await t.db.execute(sql`select sum(charged)::text as s from usage_events where organization_id = ${orgId}`)) as unknown as { s: string }[];
    expect(Credits.parse(r30.totals.charged)).toBe(BigInt(raw.s));
  });

  it("CSV has one line per rollup group", async () => {
    const range = parseRange({ days: "30" }, NOW);
    const rows = await loadReportRows(t.db, orgId, range);
    expect(rows).toHaveLength(30); // 10 days × (Helpdesk llm, CodePilot llm, CodePilot code_artifact)
    expect(toCsv(rows).trimEnd().split("\r\n")).toHaveLength(31);
  });

  it("another organization sees none of it", async () => {
    const r = await getUsageReport(t.db, otherOrgId, parseRange({ days: "90" }, NOW));
    expect(r.empty).toBe(true);
    const mine = await getMyCredit(t.db, otherOrgId, NOW);
    expect(mine.available).toBe("0");
    expect(mine.burn.runwayDays).toBe(0);
  });

  it("calculator prefill uses this organization's own averages", async () => {
    const d = await getCalculatorDefaults(t.db, orgId, NOW);
    expect(d.botTypes.language_model.fromHistory).toBe(true);
    expect(d.botTypes.language_model.costPerEvent.llm).toBe("0.01");
    expect(d.botTypes.coding.costPerEvent.code_artifact).toBe("0.02");
    expect(d.botTypes.coding.mix).toMatchObject({ llm: 50, code_artifact: 50 });
  });
});
