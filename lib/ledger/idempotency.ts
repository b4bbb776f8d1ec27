import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "@/db/client";
import { InvalidInputError } from "@/lib/errors";
import { IdempotencyConflictError } from "./errors";
import { inTx, rows } from "./internal";

/** JSON with BigInt and Date preserved (responses are stored as jsonb and revived on replay). */
export function serializeResponse(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    if (typeof raw === "bigint") return { $bigint: raw.toString() };
    if (raw instanceof Date) return { $date: raw.toISOString() };
    return v === undefined ? null : v;
  });
}

export function reviveResponse<T>(value: unknown): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && typeof o.$bigint === "string") return BigInt(o.$bigint);
      if (keys.length === 1 && typeof o.$date === "string") return new Date(o.$date);
      return Object.fromEntries(keys.map((k) => [k, walk(o[k])]));
    }
    return v;
  };
  return walk(typeof value === "string" ? JSON.parse(value) : value) as T;
}

function stable(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** sha256 of the request's canonical JSON (key order and BigInt/Date independent). */
export function hashRequest(request: unknown): string {
  return createHash("sha256").update(JSON.stringify(stable(request)) ?? "null").digest("hex");
}

export interface IdempotencyKeyInput {
  /** e.g. the organization id or API key id. */
  scope: string;
  key: string;
  requestHash: string;
}

/**
 * Runs `fn` at most once per (scope, key): the key row is inserted in the same transaction as fn's
 * writes, so a concurrent replay waits on the unique index and then reads the committed response
 * (one effect only). Same key + same hash → the first response again; other hash →
 * IdempotencyConflictError (409). If fn throws, its writes and the claim roll back; a caller that wants
 * the refusal to be the key's first result stores it afterwards with `recordIdempotentOutcome`.
 * `fn` must do its writes through the given tx (e.g. `debit(tx, …)`).
 */
export async function withIdempotency<T>(
  db: DbOrTx,
  input: IdempotencyKeyInput,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  return (await withIdempotencyDetailed(db, input, fn)).response;
}

export async function withIdempotencyDetailed<T>(
  db: DbOrTx,
  input: IdempotencyKeyInput,
  fn: (tx: Tx) => Promise<T>,
): Promise<{ response: T; replayed: boolean }> {
  const { scope, key, requestHash } = input;
  if (typeof key !== "string" || key.length === 0 || key.length > 255) {
    throw new InvalidInputError("idempotencyKey", "Idempotency-Key must be 1–255 characters");
  }
  if (typeof scope !== "string" || scope.length === 0) throw new InvalidInputError("scope", "scope is required");
  return inTx(db, async (outer) => {
    // Given a Tx, this runs inside it: if the caller rolls back, the key is unclaimed again.
    const run = async (tx: Tx) => {
      const claimed = await rows<{ scope: string }>(
        tx,
        sql`insert into idempotency_keys (scope, key, request_hash) values (${scope}, ${key}, ${requestHash})
            on conflict (scope, key) do nothing returning scope`,
      );
      if (claimed.length === 0) {
        const [row] = await rows<{ request_hash: string; response: unknown }>(
          tx,
          sql`select request_hash, response from idempotency_keys where scope = ${scope} and key = ${key}`,
        );
        if (row.request_hash !== requestHash) throw new IdempotencyConflictError(scope, key);
        return { response: reviveResponse<T>(row.response), replayed: true };
      }
      const response = await fn(tx);
      await tx.execute(
        sql`update idempotency_keys set response = ${serializeResponse(response)}::jsonb where scope = ${scope} and key = ${key}`,
      );
      return { response, replayed: false };
    };
    return run(outer);
  });
}

/**
 * Stores a result that was produced outside `withIdempotencyDetailed`'s transaction, typically a refusal
 * (a 402) whose transaction rolled back with the claim: a retry with the same key then gets that refusal
 * again instead of running anew. If the key was taken meanwhile (a concurrent retry that ran and
 * stored its own result), the stored result wins and comes back as a replay; another request hash
 * under the key is the usual IdempotencyConflictError.
 */
export async function recordIdempotentOutcome<T>(db: DbOrTx, input: IdempotencyKeyInput, response: T): Promise<{ response: T; replayed: boolean }> {
  const { scope, key, requestHash } = input;
  const stored = await rows<{ scope: string }>(
    db,
    sql`insert into idempotency_keys (scope, key, request_hash, response) values (${scope}, ${key}, ${requestHash}, ${serializeResponse(response)}::jsonb)
        on conflict (scope, key) do nothing returning scope`,
  );
  if (stored.length > 0) return { response, replayed: false };
  // Taken meanwhile: read it through withIdempotencyDetailed, which waits for an uncommitted claim and
  // replays (its fn runs only if that claim rolled back, and then it stores this response after all).
  return withIdempotencyDetailed(db, input, async () => response);
}
