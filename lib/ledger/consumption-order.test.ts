import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/test/db";
import { compareBatches, consumptionOrderSql, sortForConsumption, type OrderableBatch } from "./consumption-order";
import { debit } from "./debit";
import { grantBatch } from "./grant-batch";
import { rows } from "./internal";
import { C, DAY, newOrgAccount } from "./test-helpers";

const t = useTestDb();
const base = new Date("2030-01-01T00:00:00Z");
const b = (o: Partial<OrderableBatch> & { name: string }) => ({
  type: "paid" as const,
  priority: null,
  expiresAt: null,
  addedAt: base,
  seq: 0n,
  ...o,
});

describe("consumption order (pure)", () => {
  it("free before paid, soonest expiry first (none last), oldest first, priority overrides", () => {
    const list = [
      b({ name: "P2 no expiry", seq: 1n }),
      b({ name: "P1 30d", expiresAt: new Date(base.getTime() + 30 * DAY), seq: 2n }),
      b({ name: "F2 10d", type: "free", expiresAt: new Date(base.getTime() + 10 * DAY), seq: 3n }),
      b({ name: "F1 3d", type: "free", expiresAt: new Date(base.getTime() + 3 * DAY), seq: 4n }),
      b({ name: "F0 none old", type: "free", addedAt: new Date(base.getTime() - DAY), seq: 5n }),
      b({ name: "F0 none new", type: "free", seq: 6n }),
    ];
    expect(sortForConsumption(list).map((x) => x.name)).toEqual([
      "F1 3d",
      "F2 10d",
      "F0 none old",
      "F0 none new",
      "P1 30d",
      "P2 no expiry",
    ]);
    const withPriority = [...list, b({ name: "P9 priority 2", priority: 2, seq: 7n }), b({ name: "P8 priority 1", priority: 1, seq: 8n })];
    expect(sortForConsumption(withPriority).slice(0, 2).map((x) => x.name)).toEqual(["P8 priority 1", "P9 priority 2"]);
  });

  it("is a total order (antisymmetric, seq breaks ties)", () => {
    const x = b({ name: "x", seq: 1n });
    const y = b({ name: "y", seq: 2n });
    expect(compareBatches(x, y)).toBeLessThan(0);
    expect(compareBatches(y, x)).toBeGreaterThan(0);
    expect(compareBatches(x, x)).toBe(0);
  });
});

describe("the SQL mirror", () => {
  it("appears verbatim in every hot-path function of the migrations", () => {
    const dir = path.join(process.cwd(), "drizzle");
    // 0002 created the hot-path functions; 0008 (fast paths) replaced both, 0010 and 0011
    // ledger_resolve_holds again. Every definition of either must carry the order verbatim.
    const orderOf = { ledger_apply_debits: consumptionOrderSql("b"), ledger_resolve_holds: consumptionOrderSql("bb") };
    let definitions = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql"))) {
      const text = readFileSync(path.join(dir, file), "utf8");
      const parts = text.split("CREATE OR REPLACE FUNCTION ").slice(1);
      for (const part of parts) {
        const name = part.slice(0, part.indexOf("(")) as keyof typeof orderOf;
        if (!(name in orderOf)) continue;
        definitions++;
        expect(part.slice(0, part.indexOf("END $$")), `${name} in ${file}`).toContain(orderOf[name]);
      }
    }
    expect(definitions).toBe(6); // 0002: both, 0008: both, 0010 and 0011: ledger_resolve_holds
  });

  it("is the installed function's order too", async () => {
    const [fn] = await rows<{ def: string }>(t.db, sql`select pg_get_functiondef('ledger_apply_debits'::regproc) as def`);
    expect(fn.def).toContain(consumptionOrderSql("b"));
    const [fn2] = await rows<{ def: string }>(t.db, sql`select pg_get_functiondef('ledger_resolve_holds'::regproc) as def`);
    expect(fn2.def).toContain(consumptionOrderSql("bb"));
  });

  it("sorts random batches exactly like compareBatches, and debits spend in that order", async () => {
    const { accountId } = await newOrgAccount(t.db);
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const now = new Date();
    for (let i = 0; i < 40; i++) {
      await grantBatch(t.db, {
        accountId,
        type: rnd(2) ? "free" : "paid",
        source: "promo",
        amount: 1_000n,
        expiresAt: rnd(3) === 0 ? null : new Date(now.getTime() + (1 + rnd(4)) * DAY),
        priority: rnd(5) === 0 ? rnd(3) : null,
        now: new Date(now.getTime() - rnd(3) * 1000),
      });
    }
    const all = await rows<{ id: string; type: "free" | "paid"; priority: number | null; expires_at: string | null; added_at: string; seq: string }>(
      t.db,
      sql`select id, type, priority, expires_at::text, added_at::text, seq::text from batches b where account_id = ${accountId}
           order by ${sql.raw(consumptionOrderSql("b"))}`,
    );
    const js = sortForConsumption(
      all.map((r) => ({
        id: r.id,
        type: r.type,
        priority: r.priority,
        expiresAt: r.expires_at ? new Date(r.expires_at.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00")) : null,
        addedAt: new Date(r.added_at.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00")),
        seq: BigInt(r.seq),
      })),
    );
    expect(all.map((r) => r.id)).toEqual(js.map((r) => r.id));
    // The hot path spends in the same order: 40 debits of one batch each.
    const spent: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await debit(t.db, { accountId, amount: 1_000n });
      expect(r.allocations).toHaveLength(1);
      spent.push(r.allocations[0].batchId);
    }
    expect(spent).toEqual(js.map((r) => r.id));
    void C;
  });
});
