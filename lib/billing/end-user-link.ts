import { createHmac, timingSafeEqual } from "node:crypto";
import type { DbOrTx } from "@/db/client";
import { findOrCreateEndUser, getBot } from "@/lib/bots/bots";
import { NotFoundError } from "@/lib/errors";
import { isUuid } from "@/lib/ids";

/**
 * Signed links for end users (POST /api/v1/end-user-sessions → /b/[bot]/account?token=…). The token is
 * `base64url(JSON{b, e, x}).base64url(HMAC-SHA256(secret, "end-user:" + payload))`: bot id, end user id and
 * expiry (unix seconds). No database row: an expired or forged token is simply refused.
 */
export const END_USER_LINK_TTL_SECONDS = 3600;

export interface EndUserLink {
  botId: string;
  endUserId: string;
  expiresAt: Date;
}

export type VerifiedLink = ({ ok: true } & EndUserLink) | { ok: false; reason: "missing" | "invalid" | "expired" | "wrong_bot" };

function mac(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(`end-user:${payload}`).digest("base64url");
}

export function signEndUserToken(link: EndUserLink, secret: string): string {
  const payload = Buffer.from(JSON.stringify({ b: link.botId, e: link.endUserId, x: Math.floor(link.expiresAt.getTime() / 1000) })).toString("base64url");
  return `${payload}.${mac(secret, payload)}`;
}

export function verifyEndUserToken(token: string | null | undefined, secret: string, options: { botId?: string; now?: Date } = {}): VerifiedLink {
  if (!token) return { ok: false, reason: "missing" };
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: "invalid" };
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: "invalid" };
  let data: { b?: unknown; e?: unknown; x?: unknown };
  try {
    data = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (typeof data.b !== "string" || typeof data.e !== "string" || typeof data.x !== "number" || !isUuid(data.b) || !isUuid(data.e)) return { ok: false, reason: "invalid" };
  if (options.botId && options.botId !== data.b) return { ok: false, reason: "wrong_bot" };
  const expiresAt = new Date(data.x * 1000);
  if (expiresAt.getTime() <= (options.now ?? new Date()).getTime()) return { ok: false, reason: "expired" };
  return { ok: true, botId: data.b, endUserId: data.e, expiresAt };
}

/** The signed account link for one end user of a bot of this organization (the end user is created on first sight). */
export async function createEndUserSessionLink(
  db: DbOrTx,
  input: { organizationId: string; botId: string; endUserExternalId: string; appUrl: string; secret: string; now?: Date; ttlSeconds?: number },
): Promise<{ url: string; token: string; expiresAt: Date; endUserId: string }> {
  const bot = await getBot(db, input.organizationId, input.botId);
  if (bot.archivedAt) throw new NotFoundError("Bot", { bot_id: input.botId });
  const endUser = await findOrCreateEndUser(db, bot.id, input.endUserExternalId);
  const now = input.now ?? new Date();
  const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + (input.ttlSeconds ?? END_USER_LINK_TTL_SECONDS) * 1000);
  const token = signEndUserToken({ botId: bot.id, endUserId: endUser.id, expiresAt }, input.secret);
  return { url: `${input.appUrl.replace(/\/$/, "")}/b/${bot.id}/account?token=${encodeURIComponent(token)}`, token, expiresAt, endUserId: endUser.id };
}

/** The secret the links are signed with (AUTH_SECRET). */
export function endUserLinkSecret(): string {
  const secret = process.env.AUTH_SECRET;
  if (!secret) throw new Error("AUTH_SECRET is not set; end-user links cannot be signed");
  return secret;
}
