import { describe, expect, it } from "vitest";
import { signEndUserToken, verifyEndUserToken } from "./end-user-link";

const SECRET = "test-secret-test-secret";
const link = { botId: "11111111-1111-4111-8111-111111111111", endUserId: "22222222-2222-4222-8222-222222222222", expiresAt: new Date("2030-01-01T01:00:00Z") };
const now = new Date("2030-01-01T00:00:00Z");

describe("signed end-user links", () => {
  it("round-trips bot, end user and expiry", () => {
    const token = signEndUserToken(link, SECRET);
    expect(verifyEndUserToken(token, SECRET, { now, botId: link.botId })).toEqual({ ok: true, ...link });
  });
  it("refuses an expired, forged, foreign-bot or malformed token", () => {
    const token = signEndUserToken(link, SECRET);
    expect(verifyEndUserToken(token, SECRET, { now: new Date("2030-01-01T01:00:00Z") })).toEqual({ ok: false, reason: "expired" });
    expect(verifyEndUserToken(token, "another-secret-another", { now })).toEqual({ ok: false, reason: "invalid" });
    const [payload, sig] = token.split(".");
    const tampered = Buffer.from(JSON.stringify({ b: link.botId, e: "33333333-3333-4333-8333-333333333333", x: 1_900_000_000 })).toString("base64url");
    expect(verifyEndUserToken(`${tampered}.${sig}`, SECRET, { now })).toEqual({ ok: false, reason: "invalid" });
    expect(verifyEndUserToken(`${payload}.${sig}`, SECRET, { now, botId: "44444444-4444-4444-8444-444444444444" })).toEqual({ ok: false, reason: "wrong_bot" });
    for (const bad of ["", "abc", "a.b.c", `${payload}.`, `.${sig}`]) expect(verifyEndUserToken(bad, SECRET, { now }).ok).toBe(false);
    expect(verifyEndUserToken(undefined, SECRET, { now })).toEqual({ ok: false, reason: "missing" });
  });
});
