import { Select } from "./input";

export const CURRENCIES = ["usd", "eur", "gbp", "chf", "cad", "aud"] as const;

export function CurrencySelect({ id, name = "currency", defaultValue = "usd" }: { id: string; name?: string; defaultValue?: string }) {
  return (
    <Select id={id} name={name} defaultValue={defaultValue}>
      {CURRENCIES.map((c) => (
        <option key={c} value={c}>
          {c.toUpperCase()}
        </option>
      ))}
    </Select>
  );
}
