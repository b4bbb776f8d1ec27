import type { Ctx } from "./context";
import { missingParam, resourceMissing } from "./errors";
import { str, type FormObject } from "./form";
import { newId } from "./ids";
import { getObject, type StripeObject } from "./state";
import { cancelNow, setCancelAtPeriodEnd } from "./subscriptions";

export function createPortalSession(ctx: Ctx, params: FormObject): StripeObject {
  const customerId = str(params.customer);
  if (!customerId) throw missingParam("customer");
  getObject(ctx.state, customerId, "customer", "customer");
  const id = newId("bps");
  return ctx.put({
    id,
    object: "billing_portal.session",
    configuration: "bpc_sandbox_default",
    created: ctx.now(),
    customer: customerId,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: null,
    on_behalf_of: null,
    return_url: str(params.return_url) ?? null,
    url: `${ctx.publicUrl}/p/session/${id}`,
  });
}

/** "Cancel plan" in the portal: ends now or at period end, per the sandbox's `portalCancel` option. */
export function portalCancel(ctx: Ctx, portal: StripeObject, subscriptionId: string): StripeObject {
  const sub = getObject(ctx.state, subscriptionId, "subscription");
  if (sub.customer !== portal.customer) throw resourceMissing("subscription", subscriptionId, "subscription");
  if (ctx.options.portalCancel === "at_period_end") return setCancelAtPeriodEnd(ctx, sub, true);
  return cancelNow(ctx, sub, ctx.nowFor(sub.customer), "cancellation_requested");
}
