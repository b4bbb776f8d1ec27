import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, inject } from "vitest";
import { createDb, type Db } from "@/db/client";

/**
 * Gives a test file its own freshly migrated database (a clone of the template made in global setup).
 * Usage: `const t = useTestDb();` then `t.db` inside tests.
 */
export function useTestDb(options: { max?: number } = {}): { readonly db: Db; readonly url: string } {
  const serverUrl = inject("pgServerUrl");
  const template = inject("pgTemplateDb");
  const name = `creditdesk_t_${randomBytes(6).toString("hex")}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const state: { db?: Db } = {};

  beforeAll(async () => {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name} template ${template}`);
    await admin.end();
    state.db = createDb(url.toString(), { max: options.max ?? 10 });
  });

  afterAll(async () => {
    await state.db?.$client.end({ timeout: 5 });
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  return {
    get db() {
      if (!state.db) throw new Error("useTestDb: the database is only ready inside tests/hooks");
      return state.db;
    },
    url: url.toString(),
  };
}
