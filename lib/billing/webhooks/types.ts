import type Stripe from "stripe";
import type { Db } from "@/db/client";

export interface WebhookContext<E extends Stripe.Event = Stripe.Event> {
  db: Db;
  stripe: Stripe;
  event: E;
}

/** One handler per event type; returns a short outcome recorded on the stripe_events row. Throw to make Stripe retry. */
export type WebhookHandler<E extends Stripe.Event = Stripe.Event> = (ctx: WebhookContext<E>) => Promise<string>;
