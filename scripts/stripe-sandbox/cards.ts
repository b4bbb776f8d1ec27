/**
 * Stripe's test cards and what each one does. The sandbox decides every payment from the card number kept
 * behind the payment method, exactly where Stripe's test mode does.
 */
export type CardBehavior =
  | "success"
  | "decline" // declined on every charge (and, leniently, saved fine in setup mode)
  | "decline_after_attach" // saves fine, every charge declines
  | "auth_always" // 3-D Secure on every payment, including off-session ones
  | "auth_on_setup"; // 3-D Secure when paying/saving on-session; later off-session charges succeed

export interface TestCard {
  behavior: CardBehavior;
  declineCode?: "generic_decline" | "insufficient_funds";
}

export const TEST_CARDS: Record<string, TestCard> = {
  "4242424242424242": { behavior: "success" },
  "4000056655665556": { behavior: "success" },
  "5555555555554444": { behavior: "success" },
  "378282246310005": { behavior: "success" },
  "4000000000000002": { behavior: "decline", declineCode: "generic_decline" },
  "4000000000009995": { behavior: "decline", declineCode: "insufficient_funds" },
  "4000000000000341": { behavior: "decline_after_attach", declineCode: "generic_decline" },
  "4000002760003184": { behavior: "auth_always" },
  "4000002500003155": { behavior: "auth_on_setup" },
};

/** Stripe's magic test payment method ids, usable wherever a `payment_method` is accepted. */
export const MAGIC_PAYMENT_METHODS: Record<string, string> = {
  pm_card_visa: "4242424242424242",
  pm_card_mastercard: "5555555555554444",
  pm_card_amex: "378282246310005",
  pm_card_chargeDeclined: "4000000000000002",
  pm_card_chargeDeclinedInsufficientFunds: "4000000000009995",
  pm_card_chargeCustomerFail: "4000000000000341",
  pm_card_authenticationRequired: "4000002760003184",
  pm_card_authenticationRequiredOnSetup: "4000002500003155",
};

export type ChargeOutcome =
  | { kind: "success" }
  | { kind: "requires_action" }
  | { kind: "declined"; declineCode: string; message: string };

const DECLINE_MESSAGES: Record<string, string> = {
  generic_decline: "Your card was declined.",
  insufficient_funds: "Your card has insufficient funds.",
};

export function normalizeCardNumber(input: string): string {
  return input.replace(/[\s-]/g, "");
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Returns the message Checkout shows for a malformed number, or null when it is a usable card. */
export function validateCardNumber(number: string): string | null {
  if (!/^\d{12,19}$/.test(number) || !luhn(number)) return "Your card number is invalid.";
  return null;
}

export function cardFor(number: string): TestCard {
  // Any other Luhn-valid number behaves like 4242, which is what a developer typing a random card expects.
  return TEST_CARDS[number] ?? { behavior: "success" };
}

export function brandOf(number: string): string {
  if (/^4/.test(number)) return "visa";
  if (/^(5[1-5]|2[2-7])/.test(number)) return "mastercard";
  if (/^3[47]/.test(number)) return "amex";
  if (/^6(011|5)/.test(number)) return "discover";
  return "unknown";
}

/**
 * What happens when this card is charged. `onSession` is true in Checkout (the customer is present and can
 * do 3-D Secure); off-session charges of a saved card are the auto-recharge and renewal path.
 */
export function chargeOutcome(number: string, context: { onSession: boolean }): ChargeOutcome {
  const card = cardFor(number);
  switch (card.behavior) {
    case "decline":
    case "decline_after_attach": {
      const code = card.declineCode ?? "generic_decline";
      return { kind: "declined", declineCode: code, message: DECLINE_MESSAGES[code] };
    }
    case "auth_always":
      return { kind: "requires_action" };
    case "auth_on_setup":
      return context.onSession ? { kind: "requires_action" } : { kind: "success" };
    default:
      return { kind: "success" };
  }
}

/** Saving a card in Checkout `mode=setup`: only the 3-D Secure cards need a challenge. */
export function setupOutcome(number: string): ChargeOutcome {
  const card = cardFor(number);
  if (card.behavior === "auth_always" || card.behavior === "auth_on_setup") return { kind: "requires_action" };
  return { kind: "success" };
}

export function declineMessage(code: string): string {
  return DECLINE_MESSAGES[code] ?? DECLINE_MESSAGES.generic_decline;
}
