import { NextResponse, type NextRequest } from "next/server";
import { db } from "@/db/client";
import { env } from "@/lib/env";
import { getStripe, isSandbox } from "@/lib/billing/stripe";
import { processStripeWebhook } from "@/lib/billing/webhooks/dispatch";

/** Stripe (or the local sandbox) posts signed events here; see lib/billing/webhooks/dispatch.ts. */
export const dynamic = "force-dynamic";

export async function POST(request: NextRequest) {
  const secret = env().STRIPE_WEBHOOK_SECRET ?? (isSandbox() ? "whsec_sandbox" : undefined);
  if (!secret) {
    console.error("STRIPE_WEBHOOK_SECRET is not set; refusing Stripe webhooks");
    return NextResponse.json({ error: "webhook_not_configured" }, { status: 500 });
  }
  // The signature covers the exact bytes: read the raw text, never a re-serialized JSON.
  const rawBody = await request.text();
  const result = await processStripeWebhook(db(), { rawBody, signature: request.headers.get("stripe-signature"), secret, stripe: getStripe() });
  return NextResponse.json(result.body, { status: result.status });
}
