/** Human formatting for the UI; amounts arrive as exact decimal strings and stay strings. */
const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const dateTimeFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

export function formatDate(value: Date | string | null | undefined): string {
  if (!value) return "—";
  return dateFormat.format(typeof value === "string" ? new Date(value) : value);
}

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return "—";
  return `${dateTimeFormat.format(typeof value === "string" ? new Date(value) : value)} UTC`;
}

/**
 * "1234.5" → "1,234.5". Groups the whole part, keeps the exact decimals (up to `maxDecimals`, rounded
 * half-up on the string, no float). Used for credits shown to people.
 */
export function formatCredits(decimal: string, maxDecimals = 6): string {
  const negative = decimal.startsWith("-");
  const [wholeRaw, fracRaw = ""] = (negative ? decimal.slice(1) : decimal).split(".");
  let whole = BigInt(wholeRaw || "0");
  let frac = fracRaw.slice(0, maxDecimals);
  if (fracRaw.length > maxDecimals && Number(fracRaw[maxDecimals]) >= 5) {
    const bumped = (BigInt(frac || "0") + 1n).toString().padStart(frac.length, "0");
    if (bumped.length > frac.length) {
      whole += 1n;
      frac = bumped.slice(1);
    } else frac = bumped;
  }
  frac = frac.replace(/0+$/, "");
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const out = frac ? `${grouped}.${frac}` : grouped;
  return negative && out !== "0" ? `−${out}` : out;
}

export function formatMoney(minorUnits: number, currency: string): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(minorUnits / 100);
}
