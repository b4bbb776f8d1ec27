import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { seedLedgerDemo } from "@/db/seed/ledger";
import { getBalance, verifyLedger } from "./index";
import { rows } from "./internal";

const t = useTestDb();

describe("seedLedgerDemo", () => {
  it("seeds the demo owner and keeps every invariant", async () => {
    const [org] = await rows<{ id: string }>(t.db, sql`insert into organizations (name) values ('Demo') returning id`);
    const bots = await rows<{ id: string; type: "language_model" | "coding" }>(
      t.db,
      sql`insert into bots (organization_id, name, type) values (${org.id}, 'Helper', 'language_model'), (${org.id}, 'Coder', 'coding') returning id, type`,
    );
    // How fast it seeds is for the dev start to show, not for a test to time (it took 47 s once on a
    // loaded machine that does it in 6).
    const res = await seedLedgerDemo(t.db, { ownerOrgId: org.id, bots });
    expect(res.events).toBeGreaterThan(90 * 150);
    expect(await verifyLedger(t.db)).toEqual([]);
    const bal = await getBalance(t.db, res.accountId, { includeInactive: true });
    const active = bal.batches.filter((b) => b.active && b.remaining > 0n);
    expect(active.some((b) => b.source === "signup_bonus" && b.type === "free")).toBe(true);
    expect(active.filter((b) => b.source === "top_up" && b.type === "paid")).toHaveLength(2);
    expect(active.some((b) => b.source === "plan")).toBe(true);
    const [exp] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from ledger_entries where kind = 'expire'`);
    expect(exp.n).toBeGreaterThan(0);
    const cats = await rows<{ category: string }>(t.db, sql`select distinct category::text from usage_daily`);
    expect(cats.map((c) => c.category).sort()).toEqual(["code_artifact", "llm", "speech_to_text", "training", "web_search"]);
    const byType = await rows<{ type: string; avg: string }>(
      t.db,
      sql`select b.type::text, (sum(d.charged) / sum(d.events))::bigint::text as avg from usage_daily d join bots b on b.id = d.bot_id where d.category = 'llm' group by b.type order by b.type`,
    );
    expect(BigInt(byType.find((x) => x.type === "coding")!.avg)).toBeGreaterThan(BigInt(byType.find((x) => x.type === "language_model")!.avg));
  });
});
