import { describe, expect, it } from "vitest";
import { balanceAlertFor, DEFAULT_LOW_BALANCE_THRESHOLD } from "./balance-alerts";

describe("balanceAlertFor", () => {
  it("is out of credits at zero, low below the threshold, silent above", () => {
    expect(balanceAlertFor(0n)).toBe("out_of_credits");
    expect(balanceAlertFor(-1n)).toBe("out_of_credits");
    expect(balanceAlertFor(DEFAULT_LOW_BALANCE_THRESHOLD - 1n)).toBe("low_balance");
    expect(balanceAlertFor(DEFAULT_LOW_BALANCE_THRESHOLD)).toBeNull();
    expect(balanceAlertFor(5n, 10n)).toBe("low_balance");
  });
});
