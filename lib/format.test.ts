import { describe, expect, it } from "vitest";
import { formatCredits, formatMoney } from "./format";

describe("formatCredits", () => {
  it("groups thousands and keeps exact decimals", () => {
    expect(formatCredits("1234567.891")).toBe("1,234,567.891");
    expect(formatCredits("0")).toBe("0");
    expect(formatCredits("-0.0042")).toBe("−0.0042");
  });
  it("rounds half-up on the string when fewer decimals are wanted", () => {
    expect(formatCredits("1.23456", 2)).toBe("1.23");
    expect(formatCredits("1.235", 2)).toBe("1.24");
    expect(formatCredits("9.999", 2)).toBe("10");
    expect(formatCredits("999.995", 2)).toBe("1,000");
  });
});

describe("formatMoney", () => {
  it("formats minor units", () => {
    expect(formatMoney(1999, "usd")).toBe("$19.99");
  });
});
