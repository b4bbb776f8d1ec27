"use server";
import { redirect } from "next/navigation";
import { db } from "@/db/client";
import { createPackCheckout, createPlanCheckout, type StartedCheckout } from "@/lib/billing/checkout";
import { endUserLinkSecret, verifyEndUserToken } from "@/lib/billing/end-user-link";
import { SellerSuspendedError } from "@/lib/billing/errors";
import { appBaseUrl } from "@/lib/billing/urls";

/**
 * Buy buttons of the public end-user pages. The end user is whoever the signed link names; a missing,
 * forged or expired link goes to the account page, which explains it. Success lands on /b/[bot]/success.
 */
async function start(formData: FormData, kind: "pack" | "plan"): Promise<never> {
  const botId = String(formData.get("botId") ?? "");
  const token = String(formData.get("token") ?? "");
  const offerId = String(formData.get("offerId") ?? "");
  const q = `token=${encodeURIComponent(token)}`;
  const link = verifyEndUserToken(token, endUserLinkSecret(), { botId });
  if (!link.ok) redirect(`/b/${encodeURIComponent(botId)}/account?${q}`);
  const base = await appBaseUrl();
  const urls = {
    successUrl: `${base}/b/${botId}/success?session_id={CHECKOUT_SESSION_ID}&${q}`,
    cancelUrl: `${base}/b/${botId}?${q}&canceled=1`,
  };
  let started: StartedCheckout;
  try {
    started =
      kind === "pack"
        ? await createPackCheckout(db(), { packId: offerId, buyer: { kind: "end_user", botId, endUserId: link.endUserId }, ...urls })
        : await createPlanCheckout(db(), { planId: offerId, botId, endUserId: link.endUserId, ...urls });
  } catch (error) {
    // The page was opened before the organization was suspended: show it again, now with the notice.
    if (error instanceof SellerSuspendedError) redirect(`/b/${encodeURIComponent(botId)}?${q}`);
    throw error;
  }
  redirect(started.url);
}

export async function buyEndUserPackAction(formData: FormData): Promise<void> {
  await start(formData, "pack");
}

export async function subscribeEndUserPlanAction(formData: FormData): Promise<void> {
  await start(formData, "plan");
}
