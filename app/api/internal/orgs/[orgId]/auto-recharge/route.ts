import { NextResponse } from "next/server";
import { db } from "@/db/client";
import { withOrgRoute } from "@/lib/api/with-session";
import { recordAudit } from "@/lib/audit";
import { autoRechargeInputSchema, toAutoRechargeInput } from "@/lib/billing/auto-recharge/input";
import { saveSettingsAndRecharge } from "@/lib/billing/auto-recharge/recharge";
import { getAutoRechargeState } from "@/lib/billing/auto-recharge/state";

/** The auto-recharge settings as an API (the Billing page's form does the same through a server action). */
export const GET = withOrgRoute(async (_request, ctx) => NextResponse.json(await getAutoRechargeState(db(), ctx.org.id)));

export const PUT = withOrgRoute(
  async (request, ctx) => {
    const input = autoRechargeInputSchema.parse(await request.json().catch(() => undefined));
    await saveSettingsAndRecharge(db(), ctx.org.id, toAutoRechargeInput(input), ctx.user.id);
    await recordAudit(db(), { organizationId: ctx.org.id, actorUserId: ctx.user.id, action: "auto_recharge.saved", data: { ...input } });
    return NextResponse.json(await getAutoRechargeState(db(), ctx.org.id));
  },
  { role: "admin" },
);
