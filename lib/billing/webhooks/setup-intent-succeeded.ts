import type Stripe from "stripe";
import { saveCardFromSetupIntent } from "../auto-recharge/card";
import type { WebhookHandler } from "./types";

/** A card saved through Checkout in setup mode becomes the organization's auto-recharge card. */
export const handleSetupIntentSucceeded: WebhookHandler<Stripe.SetupIntentSucceededEvent> = async ({ db, stripe, event }) => {
  // A succeeded setup intent is final, so the event's copy is as good as a fresh read.
  const saved = await saveCardFromSetupIntent(db, event.data.object, stripe);
  return saved ? "card_saved" : "not_ours";
};
