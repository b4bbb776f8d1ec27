import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { InvalidInputError, NotFoundError } from "@/lib/errors";
import { useTestDb } from "@/test/db";
import { Credits, debitMany, getBalance, getOrCreateOrgAccount, grantBatch } from "@/lib/ledger";
import { parseRange } from "./arithmetic";
import { getCalculatorDefaults } from "./calculator";
import { getActiveBatches, getMyCredit } from "./my-credit";
import { getSubAccountReport, getUsageReport, loadReportRows, loadSubAccountRows, SUB_ACCOUNT_CSV_HEADER, toCsv, toSubAccountCsv } from "./usage-report";

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

describe("the agency's split by sub-account (real Postgres)", () => {
  let agencyId: string;
  let agencyAdmin: string;
  let agencyMember: string;
  let northId: string;
  let southId: string;
  let quietId: string;
  let northUser: string;
  let ownerUser: string;

  const q = async <T,>(query: ReturnType<typeof sql>) => (await t.db.execute(query)) as unknown as T[];
  const org = async (name: string, kind: "owner" | "agency", parentId: string | null = null) =>
    (await q<{ id: string }>(sql`insert into organizations (name, kind, parent_id) values (${name}, ${kind}, ${parentId}) returning id`))[0].id;
  const user = async (email: string, orgIdOf: string, role: "admin" | "member" = "admin") => {
    const [u] = await q<{ id: string }>(sql`insert into users (email, name, password_hash) values (${email}, 'U', 'x') returning id`);
    await t.db.execute(sql`insert into memberships (user_id, organization_id, role) values (${u.id}, ${orgIdOf}, ${role})`);
    return u.id;
  };
  /** `days` days of usage in `org`: each day the given (bot type, category, amount) events. */
  const usage = async (inOrg: string, perDay: Array<["language_model" | "coding", "llm" | "web_search" | "code_artifact", string]>, days = 5) => {
    const bots = await q<{ id: string; type: string }>(
      sql`insert into bots (organization_id, name, type) values (${inOrg}, 'Chat', 'language_model'), (${inOrg}, 'Coder', 'coding') returning id, type`,
    );
    const account = (await getOrCreateOrgAccount(t.db, inOrg)).id;
    await grantBatch(t.db, { accountId: account, type: "paid", source: "assignment", amount: c("100"), now: new Date(NOW.getTime() - 30 * DAY) });
    for (let d = days - 1; d >= 0; d--) {
      const occurredAt = new Date(NOW.getTime() - d * DAY);
      const res = await debitMany(
        t.db,
        perDay.map(([type, category, amount]) => ({ accountId: account, amount: c(amount), botId: bots.find((b) => b.type === type)!.id, category, occurredAt })),
        { now: occurredAt },
      );
      expect(res.every((r) => !(r instanceof Error))).toBe(true);
    }
  };

  beforeAll(async () => {
    agencyId = await org("Split Agency", "agency");
    northId = await org("North Client", "owner", agencyId);
    southId = await org("South Client", "owner", agencyId);
    quietId = await org("Quiet Client", "owner", agencyId);
    const otherAgency = await org("Other Agency", "agency");
    const strangerSub = await org("Stranger Client", "owner", otherAgency);
    agencyAdmin = await user("split-admin@a.test", agencyId);
    agencyMember = await user("split-member@a.test", agencyId, "member");
    northUser = await user("north@a.test", northId);
    ownerUser = await user("owner@a.test", orgId);
    // North: language model only — 3 × 0.01 LLM + 0.01 WebSearch a day (5 days → 0.2).
    await usage(northId, [["language_model", "llm", "0.01"], ["language_model", "llm", "0.01"], ["language_model", "llm", "0.01"], ["language_model", "web_search", "0.01"]]);
    // South: 0.05 LLM in the coding bot + 0.05 code artifact, 0.1 LLM in the chat bot a day (5 days → 1).
    await usage(southId, [["coding", "llm", "0.05"], ["coding", "code_artifact", "0.05"], ["language_model", "llm", "0.1"]]);
    // Neither the agency's own usage nor another agency's sub-account is part of the split.
    await usage(agencyId, [["language_model", "llm", "1"]]);
    await usage(strangerSub, [["coding", "llm", "1"]]);
  });

  it("an agency admin sees each of its sub-accounts with its category and bot-type mix", async () => {
    const r = await getSubAccountReport(t.db, { userId: agencyAdmin, orgId: agencyId }, parseRange({ days: "30" }, NOW));
    expect(r.subAccounts.map((s) => s.name)).toEqual(["South Client", "North Client", "Quiet Client"]);
    expect(r.totals.charged).toBe("1.2");
    const [south, north, quiet] = r.subAccounts;
    expect(south).toMatchObject({ id: southId, charged: "1", uncollected: "0", events: 15, share: 83.3 });
    expect(south.categories).toEqual([
      { category: "llm", charged: "0.75", share: 75 },
      { category: "code_artifact", charged: "0.25", share: 25 },
    ]);
    expect(south.botTypes).toEqual([
      { botType: "language_model", charged: "0.5", share: 50 },
      { botType: "coding", charged: "0.5", share: 50 },
    ]);
    expect(north).toMatchObject({ id: northId, charged: "0.2", events: 20, answers: 15 });
    expect(north.categories).toEqual([
      { category: "llm", charged: "0.15", share: 75 },
      { category: "web_search", charged: "0.05", share: 25 },
    ]);
    expect(north.botTypes).toEqual([{ botType: "language_model", charged: "0.2", share: 100 }]);
    expect(quiet).toMatchObject({ id: quietId, charged: "0", events: 0, categories: [], botTypes: [] });
    // The stacked chart: one series per sub-account with usage, every day of the range.
    expect(r.daily.keys).toEqual([
      { key: "s0", label: "South Client" },
      { key: "s1", label: "North Client" },
      { key: "s2", label: "Quiet Client" },
    ]);
    expect(r.daily.points).toHaveLength(30);
    expect(r.daily.points.at(-1)).toMatchObject({ s0: 0.2, s1: 0.04, s2: 0 });
    // The agency's own report is its own usage only.
    expect((await getUsageReport(t.db, agencyId, parseRange({ days: "30" }, NOW))).totals.charged).toBe("5");
  });

  it("the split's CSV carries the sub-account on every line, and only the agency's sub-accounts", async () => {
    const { rows } = await loadSubAccountRows(t.db, agencyId, parseRange({ days: "30" }, NOW));
    const lines = toSubAccountCsv(rows).trimEnd().split("\r\n");
    expect(lines[0]).toBe(SUB_ACCOUNT_CSV_HEADER.join(","));
    expect(lines).toHaveLength(1 + 5 * (2 + 3)); // 5 days × (North: Chat llm, Chat web_search; South: Chat llm, Coder llm, Coder code_artifact)
    expect(new Set(lines.slice(1).map((l) => l.split(",")[1]))).toEqual(new Set(["North Client", "South Client"]));
  });

  it("a sub-account sees only itself: its own report, and no split", async () => {
    const own = await getUsageReport(t.db, northId, parseRange({ days: "30" }, NOW));
    expect(own.totals.charged).toBe("0.2");
    expect(own.byBot.map((b) => b.name)).toEqual(["Chat"]);
    await expect(getSubAccountReport(t.db, { userId: northUser, orgId: northId }, parseRange({ days: "30" }, NOW))).rejects.toBeInstanceOf(InvalidInputError);
    // Naming the agency does not help: not a member of it.
    await expect(getSubAccountReport(t.db, { userId: northUser, orgId: agencyId }, parseRange({ days: "30" }, NOW))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("an agency admin working inside a sub-account asks for the split: 400 on `split` (the split is the agency's own view), no data", async () => {
    const err = await getSubAccountReport(t.db, { userId: agencyAdmin, orgId: northId }, parseRange({ days: "30" }, NOW)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).status).toBe(400);
    expect((err as InvalidInputError).details).toMatchObject({ errors: [{ field: "split" }] });
    expect((err as InvalidInputError).message).toMatch(/agency's own/);
    expect(JSON.stringify({ message: (err as InvalidInputError).message, details: (err as InvalidInputError).details })).not.toMatch(/North|South|Split Agency/);
    // Someone with no way into the sub-account still learns nothing beyond 404.
    await expect(getSubAccountReport(t.db, { userId: ownerUser, orgId: northId }, parseRange({ days: "30" }, NOW))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("an owner organization (and an agency's mere member) cannot request the split", async () => {
    const err = await getSubAccountReport(t.db, { userId: ownerUser, orgId }, parseRange({ days: "30" }, NOW)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).status).toBe(400);
    expect((err as InvalidInputError).details).toMatchObject({ errors: [{ field: "split" }] });
    await expect(getSubAccountReport(t.db, { userId: agencyMember, orgId: agencyId }, parseRange({ days: "30" }, NOW))).rejects.toBeInstanceOf(InvalidInputError);
  });
});
