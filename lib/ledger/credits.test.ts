import { describe, expect, it } from "vitest";
import { InvalidInputError } from "@/lib/errors";
import { Credits, MAX_MICRO } from "./credits";

describe("Credits", () => {
  it("parses decimal strings exactly", () => {
    expect(Credits.parse("1.5")).toBe(1_500_000n);
    expect(Credits.parse("0")).toBe(0n);
    expect(Credits.parse("0.000001")).toBe(1n);
    expect(Credits.parse("123456789012.123456")).toBe(123_456_789_012_123_456n);
    expect(Credits.parse("2")).toBe(2_000_000n);
    expect(Credits.parse(3)).toBe(3_000_000n);
    expect(Credits.parse("-1.25", "amount", { allowNegative: true })).toBe(-1_250_000n);
    // beyond float precision, still exact
    expect(Credits.parse("9007199254740993.000001")).toBe(9_007_199_254_740_993_000_001n);
  });

  it("rejects garbage, >6 decimals, negatives and (optionally) zero, naming the field", () => {
    for (const bad of ["", "abc", "1.", ".5", "1.2345678", "1e3", " 1", "1,5", "--1", "+1", "0x10", "NaN"]) {
      expect(() => Credits.parse(bad, "top_up_amount"), bad).toThrow(InvalidInputError);
    }
    expect(() => Credits.parse("-1")).toThrow(/must not be negative/);
    expect(() => Credits.parse("0", "amount", { allowZero: false })).toThrow(/greater than zero/);
    expect(() => Credits.parse(1.5)).toThrow(InvalidInputError);
    try {
      Credits.parse("1.1234567", "recharge_at");
    } catch (e) {
      expect((e as InvalidInputError).details).toEqual({ errors: [{ field: "recharge_at", message: expect.any(String) }] });
    }
  });

  it("formats with at most 6 places, no trailing zeros", () => {
    expect(Credits.format(1_500_000n)).toBe("1.5");
    expect(Credits.format(0n)).toBe("0");
    expect(Credits.format(1n)).toBe("0.000001");
    expect(Credits.format(2_000_000n)).toBe("2");
    expect(Credits.format(-1_250_000n)).toBe("-1.25");
    expect(Credits.format(-1n)).toBe("-0.000001");
    expect(Credits.format(145_500_000n)).toBe("145.5");
  });

  it("round-trips", () => {
    for (const s of ["0", "1", "0.1", "0.000001", "99.999999", "-3.5", "1000000"]) {
      expect(Credits.format(Credits.parse(s, "x", { allowNegative: true }))).toBe(s);
    }
    let seed = 7;
    for (let i = 0; i < 1000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const micro = BigInt(seed) * BigInt(seed % 1000);
      expect(Credits.parse(Credits.format(micro))).toBe(micro);
    }
  });
});

describe("amounts entering the ledger", () => {
  it("are refused above a billion credits, naming the field, so no sum can overflow Postgres' bigint", async () => {
    const { requirePositive } = await import("./internal");
    expect(requirePositive(MAX_MICRO, "amount")).toBe(1_000_000_000_000_000n);
    expect(() => requirePositive(MAX_MICRO + 1n, "amount")).toThrow("amount must be at most 1,000,000,000 credits");
    expect(() => requirePositive(0n, "amount")).toThrow(InvalidInputError);
  });
});
