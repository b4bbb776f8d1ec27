import { InvalidInputError } from "@/lib/errors";

/** Micro-credits per credit. */
export const MICRO = 1_000_000n;

/**
 * The largest amount one ledger change may move: a billion credits. Balances are bigint micro-credits
 * (up to ~9.2 trillion credits), so sums of amounts this size cannot overflow in Postgres; a larger
 * one is a typo or an attack, and gets a 400 naming the field instead of an overflow (500).
 * Enforced where amounts enter the ledger (lib/ledger/internal.ts) and in the metering API's schemas.
 */
export const MAX_CREDITS = 1_000_000_000n;
export const MAX_MICRO = MAX_CREDITS * MICRO;

const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,6}))?$/;

/**
 * Exact conversion between decimal credit strings and bigint micro-credits. No floats anywhere.
 * `Credits.parse("1.5") → 1500000n`, `Credits.format(1500000n) → "1.5"`.
 */
export const Credits = {
  MICRO,
  /**
   * Parses a decimal credit string (at most 6 places). Numbers are accepted only when they are safe
   * integers (no float ever enters the money path). Throws InvalidInputError naming `field`.
   */
  parse(
    value: string | number | bigint,
    field = "amount",
    options: { allowNegative?: boolean; allowZero?: boolean } = {},
  ): bigint {
    const { allowNegative = false, allowZero = true } = options;
    let micro: bigint;
    if (typeof value === "bigint") {
      micro = value * MICRO;
    } else if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) {
        throw new InvalidInputError(field, `${field} must be a decimal string (e.g. "1.5"), not a fractional number`);
      }
      micro = BigInt(value) * MICRO;
    } else if (typeof value === "string") {
      const m = DECIMAL.exec(value.trim());
      if (!m || value.trim() !== value) {
        throw new InvalidInputError(field, `${field} must be a decimal number of credits with at most 6 decimal places`);
      }
      const [, minus, whole, frac = ""] = m;
      micro = BigInt(whole) * MICRO + BigInt(frac.padEnd(6, "0"));
      if (minus) micro = -micro;
    } else {
      throw new InvalidInputError(field, `${field} must be a decimal string`);
    }
    if (micro < 0n && !allowNegative) throw new InvalidInputError(field, `${field} must not be negative`);
    if (micro === 0n && !allowZero) throw new InvalidInputError(field, `${field} must be greater than zero`);
    return micro;
  },
  /** Formats micro-credits as a decimal string: at most 6 places, no trailing zeros, "0" for zero. */
  format(micro: bigint): string {
    const negative = micro < 0n;
    const abs = negative ? -micro : micro;
    const whole = abs / MICRO;
    const frac = abs % MICRO;
    let out = whole.toString();
    if (frac !== 0n) out += "." + frac.toString().padStart(6, "0").replace(/0+$/, "");
    return negative ? "-" + out : out;
  },
  /** Whole credits → micro-credits (for literals in code and tests). */
  of(credits: number | string): bigint {
    return Credits.parse(typeof credits === "number" ? String(credits) : credits, "amount", { allowNegative: true });
  },
};
