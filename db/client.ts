import postgres from "postgres";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { PgTransaction } from "drizzle-orm/pg-core";
import * as schema from "./schema";
import { env } from "@/lib/env";

export type Db = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };
/** A transaction handle; every domain function takes a Db or a Tx first so callers compose transactions. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export function createDb(url: string, options: { max?: number } = {}): Db {
  const client = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // Keep int8 as strings at the driver; drizzle's bigint columns turn them into BigInt exactly.
    connection: { application_name: "creditdesk" },
  });
  return drizzle(client, { schema }) as Db;
}

const globalForDb = globalThis as unknown as { __creditdeskDb?: Db };

/** The app's shared pool, created on first use (and kept across hot reloads in dev). */
export function db(): Db {
  globalForDb.__creditdeskDb ??= createDb(env().DATABASE_URL, { max: env().DB_POOL_MAX });
  return globalForDb.__creditdeskDb;
}

/**
 * True inside a transaction. Caches of freshly created rows must not remember them from inside one:
 * the transaction may still roll back.
 */
export function isTransaction(handle: DbOrTx): handle is Tx {
  return handle instanceof PgTransaction;
}
