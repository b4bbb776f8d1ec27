import { eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { bots, organizations } from "@/db/schema";
import { assignCredits, reclaimCredits } from "@/lib/agency";
import { Credits, debitMany, getOrCreateOrgAccount, grantBatch, type DebitInput } from "@/lib/ledger";
import { notify, periodKey } from "@/lib/notifications/notify";

const DAY = 86_400_000;
const µ = (credits: string) => Credits.parse(credits);

/**
 * Issue 8's demo: Northwind Agency buys credits (ledger grants), assigns them to its three sub-accounts
 * 20 days ago (through the agency verbs, so audit and activity are real), reclaims part from one, and each
 * sub-account uses its credits daily. Harbor Solar spends exactly what it got: out of credits, and both it
 * and the agency have the notification.
 */
export async function seedAgencyDemo(
  db: Db,
  input: { northwindId: string; subAccountIds: string[]; agencyUserId: string; now?: Date },
): Promise<{ assigned: Record<string, string> }> {
  const now = input.now ?? new Date();
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY);
  const actor = { userId: input.agencyUserId, orgId: input.northwindId };

  const pool = await getOrCreateOrgAccount(db, input.northwindId);
  await grantBatch(db, { accountId: pool.id, type: "paid", source: "top_up", amount: µ("1000"), externalRef: "demo-northwind-top-up", now: at(30) });
  await grantBatch(db, { accountId: pool.id, type: "free", source: "signup_bonus", amount: µ("50"), externalRef: "demo-northwind-signup", now: at(30), expiresAt: new Date(now.getTime() + 15 * DAY) });

  const subs = await db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(inArray(organizations.id, input.subAccountIds));
  const byName = Object.fromEntries(subs.map((s) => [s.name, s.id]));
  const [bluebird, cedar, harbor] = [byName["Bluebird Bakery"], byName["Cedar Dental"], byName["Harbor Solar"]];

  // Bluebird gets the Free 50 first (consumption order) then 150 Paid; Cedar all Paid; Harbor 40.
  await assignCredits(db, actor, { subAccountId: bluebird, amount: µ("200"), now: at(20) });
  await assignCredits(db, actor, { subAccountId: cedar, amount: µ("120"), type: "paid", now: at(20) });
  await assignCredits(db, actor, { subAccountId: harbor, amount: µ("40"), now: at(20) });

  // Daily usage per sub-account (deterministic): [bot answers per day, credits per answer, extra category].
  const plan: { orgId: string; answers: number; each: string; extra: { category: "web_search" | "speech_to_text"; amount: string } }[] = [
    { orgId: bluebird, answers: 6, each: "0.35", extra: { category: "web_search", amount: "0.02" } },
    { orgId: cedar, answers: 5, each: "0.3", extra: { category: "speech_to_text", amount: "0.05" } },
    { orgId: harbor, answers: 3, each: "0.5", extra: { category: "web_search", amount: "0.5" } }, // 2 a day × 20 days = its 40
  ];
  for (const p of plan) {
    const [bot] = await db.select({ id: bots.id }).from(bots).where(eq(bots.organizationId, p.orgId)).limit(1);
    const accountId = (await getOrCreateOrgAccount(db, p.orgId)).id;
    for (let d = 19; d >= 0; d--) {
      const dayStart = at(d + 0.9);
      const inputs: DebitInput[] = [];
      for (let i = 0; i < p.answers; i++) {
        inputs.push({ accountId, amount: µ(p.each), botId: bot?.id ?? null, category: "llm", actor: "operator", pool: "owner", occurredAt: new Date(dayStart.getTime() + i * 3_600_000), quantities: { input_tokens: 900, output_tokens: 400, model_tier: "standard" }, rateCardVersion: 1 });
      }
      inputs.push({ accountId, amount: µ(p.extra.amount), botId: bot?.id ?? null, category: p.extra.category, actor: "operator", pool: "owner", occurredAt: new Date(dayStart.getTime() + 10 * 3_600_000), rateCardVersion: 1 });
      await debitMany(db, inputs, { now: new Date(dayStart.getTime() + 11 * 3_600_000) });
    }
  }

  // Cedar was over-provisioned: the agency took 20 back five days ago.
  await reclaimCredits(db, actor, { subAccountId: cedar, amount: µ("20"), now: at(5) });

  // Harbor Solar is at zero: its bots are refused, and both it and the agency were told.
  const outAt = at(0.1);
  await notify(db, { organizationId: harbor, kind: "out_of_credits", title: "Harbor Solar is out of credits", body: "Your bots stopped answering. Buy credits from Northwind Agency, or ask them to assign some.", link: "/credit", dedupeKey: periodKey("day", outAt) });
  await notify(db, { organizationId: input.northwindId, kind: "sub_account_out_of_credits", title: "Harbor Solar is out of credits", body: "Its bots are refused until it gets credits. Assign some from your pool.", link: `/sub-accounts/${harbor}`, dedupeKey: `${harbor}:${periodKey("day", outAt)}` });

  return { assigned: { [bluebird]: "200", [cedar]: "120", [harbor]: "40" } };
}
