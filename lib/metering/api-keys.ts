import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { InvalidInputError, NotFoundError, UnauthorizedError } from "@/lib/errors";
import { sharedCache } from "./ttl-cache";

/**
 * API keys for bot runtimes: `cdk_<8 visible>_<32 secret>`. The plaintext is shown once at creation;
 * only its SHA-256 is stored (keys are 190 random bits, so a slow hash adds nothing but latency).
 */
const KEY_PATTERN = /^cdk_[a-z0-9]{8}_[A-Za-z0-9_-]{32}$/;

export function hashApiKey(plaintext: string): string {
  return createHash("sha256").update(plaintext).digest("hex");
}

function randomToken(length: number, alphabet: string): string {
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  plaintext: string;
  createdAt: Date;
}

export async function createApiKey(db: DbOrTx, input: { organizationId: string; name: string; createdByUserId?: string | null }): Promise<CreatedApiKey> {
  const name = input.name.trim();
  if (!name) throw new InvalidInputError("name", "Give the key a name, e.g. the bot runtime that uses it");
  if (name.length > 80) throw new InvalidInputError("name", "The name must be at most 80 characters");
  const prefix = `cdk_${randomToken(8, "abcdefghijklmnopqrstuvwxyz0123456789")}`;
  const plaintext = `${prefix}_${randomBytes(24).toString("base64url")}`;
  const [row] = await db
    .insert(apiKeys)
    .values({ organizationId: input.organizationId, name, prefix, keyHash: hashApiKey(plaintext), createdByUserId: input.createdByUserId ?? null })
    .returning();
  return { id: row.id, name: row.name, prefix: row.prefix, plaintext, createdAt: row.createdAt };
}

export async function listApiKeys(db: DbOrTx, organizationId: string) {
  return db
    .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.organizationId, organizationId))
    .orderBy(desc(apiKeys.createdAt));
}

export async function revokeApiKey(db: DbOrTx, organizationId: string, keyId: string, now = new Date()): Promise<void> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.organizationId, organizationId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id, keyHash: apiKeys.keyHash });
  if (rows.length === 0) throw new NotFoundError("API key");
  principals.delete(rows[0].keyHash);
}

export interface ApiKeyPrincipal {
  keyId: string;
  organizationId: string;
}

// last_used_at is informational: write it at most once a minute per key so it never costs a hot path.
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Valid keys are remembered for a few seconds so a busy runtime costs no extra query per call. Revoking
 * in this process forgets the key at once; another web instance stops accepting it within the TTL.
 */
const principals = sharedCache<ApiKeyPrincipal>("api-key-principals", Number(process.env.API_KEY_CACHE_MS ?? 3000));

/**
 * The SHA-256 of keys that authenticated here, by plaintext: hashing was a tenth of our own CPU per
 * metering call. A hash never goes stale (revocation is checked against `principals` and the database),
 * and only keys that were valid get in, so random keys cannot churn it; it is bounded all the same.
 */
const knownKeyHashes = new Map<string, string>();
const KNOWN_KEY_HASHES_MAX = 10_000;

function keyHashOf(plaintext: string): string {
  return knownKeyHashes.get(plaintext) ?? hashApiKey(plaintext);
}

/** Resolves a Bearer key to its organization; a malformed, unknown or revoked key is a 401. */
export async function authenticateApiKey(db: DbOrTx, plaintext: string | null, at?: Date): Promise<ApiKeyPrincipal> {
  if (!plaintext || !KEY_PATTERN.test(plaintext)) throw new UnauthorizedError("Missing or malformed API key: send Authorization: Bearer cdk_…");
  const keyHash = keyHashOf(plaintext);
  const cached = principals.get(keyHash);
  if (cached) return cached;
  const now = at ?? new Date();
  const [row] = await db
    .select({ id: apiKeys.id, organizationId: apiKeys.organizationId, revokedAt: apiKeys.revokedAt, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, keyHash))
    .limit(1);
  if (!row || row.revokedAt) throw new UnauthorizedError("Unknown or revoked API key");
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, new Date(now.getTime() - LAST_USED_RESOLUTION_MS)))));
  }
  const principal = { keyId: row.id, organizationId: row.organizationId };
  principals.set(keyHash, principal);
  if (!knownKeyHashes.has(plaintext)) {
    if (knownKeyHashes.size >= KNOWN_KEY_HASHES_MAX) knownKeyHashes.clear();
    knownKeyHashes.set(plaintext, keyHash);
  }
  return principal;
}
