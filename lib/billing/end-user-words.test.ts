import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CREDIT_TERMS } from "@/components/end-user/credit-terms";

/**
 * SPEC §10: end-user pages never say "wallet", "withdraw", "cash out", "account money", "e-money" or
 * "deposit". This scans every source file that renders an end-user page (the e2e specs check the rendered
 * pages too), so a banned word fails the unit tests before anything is built.
 */
const BANNED = /wallet|withdraw|cash[\s-]?out|account money|e-money|deposit/i;
const ROOT = path.resolve(import.meta.dirname, "../..");
const END_USER_SOURCES = ["app/b", "components/end-user", "components/billing/pack-card.tsx", "components/billing/sandbox-banner.tsx", "components/ui"];

function files(p: string): string[] {
  const full = path.join(ROOT, p);
  if (statSync(full).isFile()) return [p];
  return readdirSync(full).flatMap((name) => files(path.join(p, name)));
}

describe("end-user page wording (SPEC §10)", () => {
  it("no end-user page source contains a banned word", () => {
    const offending = END_USER_SOURCES.flatMap(files)
      .filter((f) => /\.(tsx?|css)$/.test(f))
      .flatMap((f) =>
        readFileSync(path.join(ROOT, f), "utf8")
          .split("\n")
          .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
          .filter(({ line }) => BANNED.test(line)),
      );
    expect(offending).toEqual([]);
  });

  it("the banned-word check catches each banned word", () => {
    for (const word of ["Wallet", "withdraw", "cash out", "Account money", "e-money", "deposit"]) expect(BANNED.test(`Your ${word} here`)).toBe(true);
  });

  it("the three sentences end users must read are the ones the pages render", () => {
    expect(CREDIT_TERMS).toEqual([
      "Credits are used for AI answers in this bot.",
      "Credits are not payable out and not transferable between users.",
      "When credits run out, you can buy new credits or wait, in case a plan provides new usage.",
    ]);
    for (const line of CREDIT_TERMS) expect(line).not.toMatch(BANNED);
  });
});
