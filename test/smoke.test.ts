import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { useTestDb } from "./db";

const t = useTestDb();

describe("test database", () => {
  it("is a migrated real Postgres", async () => {
    const rows = await t.db.execute<{ n: string }>(sql`select count(*)::text as n from organizations`);
    expect(rows[0].n).toBe("0");
  });
});
