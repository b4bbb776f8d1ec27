import { randomBytes } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Stripe-looking ids (`cus_…`, 24 base62 chars) so app code that sniffs prefixes or column widths behaves as in production. */
export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
  return `${prefix}_${out}`;
}

/** Client secrets have the owning object's id as prefix, as Stripe's do. */
export function clientSecret(id: string): string {
  return `${id}_secret_${newId("x", 24).slice(2)}`;
}

export function requestId(): string {
  return newId("req", 14);
}
