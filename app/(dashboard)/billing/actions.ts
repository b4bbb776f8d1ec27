"use server";
import { z } from "zod";
import { db } from "@/db/client";
import { orgAction } from "@/lib/auth/action";
import { recordAudit } from "@/lib/audit";
import { createPackCheckout } from "@/lib/billing/checkout";
import { appBaseUrl } from "@/lib/billing/urls";

/** Opens Stripe Checkout for one of the platform's packs; the client navigates to the returned URL. */
export const buyPlatformPackAction = orgAction(
  z.object({ packId: z.uuid() }),
  async (input, ctx) => {
    const base = await appBaseUrl();
    const started = await createPackCheckout(db(), {
      packId: input.packId,
      buyer: { kind: "organization", organizationId: ctx.org.id },
      successUrl: `${base}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${base}/billing?canceled=1`,
    });
    await recordAudit(db(), { organizationId: ctx.org.id, actorUserId: ctx.user.id, action: "billing.checkout_started", subjectType: "order", subjectId: started.orderId, data: { pack_id: input.packId } });
    return { url: started.url };
  },
  { role: "admin" },
);
