import { randomUUID } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import type { Db, DbOrTx, Tx } from "@/db/client";
import { InvalidInputError } from "@/lib/errors";
import { MAX_CREDITS, MAX_MICRO } from "./credits";

/** Internal helpers of lib/ledger (not part of the public API). */

export function isTx(db: DbOrTx): db is Tx {
  return db instanceof PgTransaction;
}

/** Runs `fn` in one transaction: the given one, or a new one. */
export async function inTx<T>(db: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (isTx(db)) return fn(db);
  return (db as Db).transaction(fn);
}

export async function rows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  return (await db.execute(query)) as unknown as T[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function requireUuid(value: unknown, field: string): string {
  if (typeof value !== "string" || !UUID.test(value)) throw new InvalidInputError(field, `${field} must be a UUID`);
  return value.toLowerCase();
}

export function optionalUuid(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  return requireUuid(value, field);
}

export function requirePositive(value: unknown, field = "amount"): bigint {
  if (typeof value !== "bigint") throw new InvalidInputError(field, `${field} must be a bigint of micro-credits`);
  if (value <= 0n) throw new InvalidInputError(field, `${field} must be greater than zero`);
  if (value > MAX_MICRO) throw new InvalidInputError(field, `${field} must be at most ${MAX_CREDITS.toLocaleString("en-US")} credits`);
  return value;
}

export function requireDate(value: unknown, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new InvalidInputError(field, `${field} must be a valid date`);
  return value;
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidInputError(field, `${field} must be one of ${allowed.join(", ")}`);
  }
  return value as T;
}

/** Postgres timestamps come back as strings through drizzle's postgres-js driver; accept both. */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const s = String(value);
  const iso = s.includes("T") ? s : s.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00");
  return new Date(iso);
}
export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

export function toBig(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (value === null || value === undefined) return 0n;
  return BigInt(value as string);
}

export function parseJson<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

/** `now` param for SQL: the injected instant or the database's transaction time. */
export function nowSql(now: Date | undefined): SQL {
  return now ? sql`${requireDate(now, "now").toISOString()}::timestamptz` : sql`now()`;
}

export interface Allocation {
  batchId: string;
  amount: bigint;
}

export function parseAllocations(value: unknown): Allocation[] {
  const list = parseJson<{ batch_id: string; amount: string }[] | null>(value) ?? [];
  return list.map((a) => ({ batchId: a.batch_id, amount: BigInt(a.amount) }));
}

/**
 * A time-ordered UUID (version 7: 48-bit Unix ms, then random) for rows the ledger creates in bulk
 * (usage events, holds). Generated client-side so a retried flush can recognise what it already
 * wrote; time-ordered so the primary keys (and the indexes that lead with them) grow at their right
 * edge instead of dirtying random pages.
 */
export function newId(): string {
  const r = randomUUID();
  const ts = Date.now().toString(16).padStart(12, "0");
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${r.slice(15)}`;
}
