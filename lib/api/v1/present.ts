import { Credits } from "@/lib/ledger/credits";
import type { Balance } from "@/lib/ledger/get-balance";

/** Domain values → the wire format: decimal credit strings, ISO dates, snake_case. */
export function presentBalance(balance: Balance | null) {
  if (!balance) {
    const zero = { balance: "0", held: "0", available: "0" };
    return { ...zero, free: zero, paid: zero, batches: [] };
  }
  const split = (s: { balance: bigint; held: bigint; available: bigint }) => ({ balance: Credits.format(s.balance), held: Credits.format(s.held), available: Credits.format(s.available) });
  return {
    available: Credits.format(balance.available),
    held: Credits.format(balance.held),
    balance: Credits.format(balance.balance),
    free: split(balance.free),
    paid: split(balance.paid),
    batches: balance.batches.map((b) => ({
      id: b.id,
      type: b.type,
      source: b.source,
      amount: Credits.format(b.amount),
      remaining: Credits.format(b.remaining),
      held: Credits.format(b.held),
      added_at: b.addedAt.toISOString(),
      expires_at: b.expiresAt ? b.expiresAt.toISOString() : null,
    })),
  };
}
