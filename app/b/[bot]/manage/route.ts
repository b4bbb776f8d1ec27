import { NextResponse, type NextRequest } from "next/server";
import { db } from "@/db/client";
import { findEndUserCustomer } from "@/lib/billing/customers";
import { endUserLinkSecret, verifyEndUserToken } from "@/lib/billing/end-user-link";
import { getStripe } from "@/lib/billing/stripe";
import { appBaseUrl } from "@/lib/billing/urls";

/** "Manage or cancel your plan": a Stripe customer-portal session for the end user the signed link names. */
export const dynamic = "force-dynamic";

export async function GET(request: NextRequest, { params }: { params: Promise<{ bot: string }> }) {
  const { bot: botId } = await params;
  const token = request.nextUrl.searchParams.get("token");
  const base = await appBaseUrl();
  const account = `${base}/b/${encodeURIComponent(botId)}/account?token=${encodeURIComponent(token ?? "")}`;
  const link = verifyEndUserToken(token, endUserLinkSecret(), { botId });
  if (!link.ok) return NextResponse.redirect(account, 303);
  const customer = await findEndUserCustomer(db(), link.endUserId);
  if (!customer) return NextResponse.redirect(account, 303);
  const portal = await getStripe().billingPortal.sessions.create({ customer, return_url: account });
  return NextResponse.redirect(portal.url, 303);
}
