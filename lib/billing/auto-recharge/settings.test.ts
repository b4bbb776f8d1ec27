import { describe, expect, it } from "vitest";
import { Credits } from "@/lib/ledger/credits";
import { rechargePriceCents, validateAutoRecharge, type PlatformSettings } from "./settings";

const platform: PlatformSettings = { id: 1, minTopUpAmount: Credits.parse("250"), minRechargeAt: Credits.parse("100"), creditPriceCents: 100, currency: "usd", maxConsecutiveFailures: 3, updatedAt: new Date() };

describe("auto-recharge settings", () => {
  it("prices a top-up in cents, rounding up", () => {
    expect(rechargePriceCents(Credits.parse("250"), 100)).toBe(25_000);
    expect(rechargePriceCents(Credits.parse("0.001"), 100)).toBe(1);
  });

  it("enforces the platform minimums with messages naming the field", () => {
    const ok = { enabled: true, topUpAmount: Credits.parse("500"), rechargeAt: Credits.parse("100"), monthlyCeilingCents: null };
    expect(() => validateAutoRecharge(ok, platform)).not.toThrow();
    expect(() => validateAutoRecharge({ ...ok, topUpAmount: Credits.parse("200") }, platform)).toThrow("Top-up amount must be at least 250 credits");
    expect(() => validateAutoRecharge({ ...ok, rechargeAt: Credits.parse("99") }, platform)).toThrow("Recharge threshold must be at least 100 credits");
    expect(() => validateAutoRecharge({ ...ok, topUpAmount: Credits.parse("250.5") }, platform)).toThrow("whole number");
    expect(() => validateAutoRecharge({ ...ok, monthlyCeilingCents: 100 }, platform)).toThrow("at least one top-up");
  });

  it("refuses a threshold at or above the top-up amount, naming the threshold (one top-up must lift the credits above it)", () => {
    const ok = { enabled: true, topUpAmount: Credits.parse("250"), rechargeAt: Credits.parse("249.5"), monthlyCeilingCents: null };
    expect(() => validateAutoRecharge(ok, platform)).not.toThrow();
    for (const rechargeAt of ["250", "300"]) {
      const refused = (() => {
        try {
          validateAutoRecharge({ ...ok, rechargeAt: Credits.parse(rechargeAt) }, platform);
        } catch (error) {
          return error as { status: number; details: { errors: { field: string; message: string }[] } };
        }
      })();
      expect(refused?.status).toBe(400);
      expect(refused?.details.errors).toEqual([{ field: "recharge_at", message: "Recharge threshold must be below the top-up amount (250 credits), so that one top-up lifts your credits back above it" }]);
    }
    // Even when off: the values are kept and apply as soon as it is turned on.
    expect(() => validateAutoRecharge({ ...ok, enabled: false, rechargeAt: Credits.parse("250") }, platform)).toThrow("must be below the top-up amount");
  });
});
