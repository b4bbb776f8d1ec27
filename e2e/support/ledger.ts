import { createDb, type Db } from "../../db/client";
import { Credits, debitMany, getOrCreateOrgAccount, grantBatch } from "../../lib/ledger";
import { createApiKey } from "../../lib/metering/api-keys";
import { e2eEnv, e2eSql, seedOrgWithUser } from "./env";

const DAY = 86_400_000;
let handle: Db | undefined;
export function e2eDb(): Db {
  handle ??= createDb(e2eEnv().databaseUrl, { max: 2 });
  return handle;
}

/**
 * An owner org with a language-model and a coding bot, four live batches in a known consumption order,
 * one expired batch, `days` days of usage through the ledger's own bulk verb, and a metering API key.
 */
export async function seedCreditOrg(options: { orgName?: string; days?: number } = {}) {
  const user = await seedOrgWithUser({ orgName: options.orgName });
  const sql = e2eSql();
  const bots = await sql`insert into bots (organization_id, name, type) values (${user.orgId}, 'Helpdesk', 'language_model'), (${user.orgId}, 'CodePilot', 'coding') returning id, type`;
  const lm = bots.find((b) => b.type === "language_model")!.id as string;
  const coding = bots.find((b) => b.type === "coding")!.id as string;
  const db = e2eDb();
  const accountId = (await getOrCreateOrgAccount(db, user.orgId)).id;
  const now = Date.now();
  const days = options.days ?? 40;
  const past = new Date(now - (days + 5) * DAY);
  const c = (s: string) => Credits.parse(s);
  await grantBatch(db, { accountId, type: "free", source: "promo", amount: c("7"), now: past, expiresAt: new Date(now - 2 * DAY) });
  await grantBatch(db, { accountId, type: "paid", source: "top_up", amount: c("100"), now: past });
  await grantBatch(db, { accountId, type: "paid", source: "plan", amount: c("50"), now: past, expiresAt: new Date(now + 30 * DAY) });
  await grantBatch(db, { accountId, type: "free", source: "signup_bonus", amount: c("5"), now: past, expiresAt: new Date(now + 3 * DAY - 3_600_000) });
  // Usage: every day 4 LLM answers in Helpdesk, 1 WebSearch, and in CodePilot 1 LLM answer + 1 code artifact.
  for (let d = days - 1; d >= 0; d--) {
    const occurredAt = new Date(now - d * DAY - 60_000);
    const results = await debitMany(
      db,
      [
        ...Array.from({ length: 4 }, () => ({ accountId, amount: c("0.0042"), botId: lm, category: "llm" as const, occurredAt })),
        { accountId, amount: c("0.01"), botId: lm, category: "web_search" as const, occurredAt },
        { accountId, amount: c("0.03"), botId: coding, category: "llm" as const, occurredAt },
        { accountId, amount: c("0.02"), botId: coding, category: "code_artifact" as const, occurredAt },
      ],
      { now: occurredAt },
    );
    for (const r of results) if (r instanceof Error) throw r;
  }
  const key = await createApiKey(db, { organizationId: user.orgId, name: "E2E runtime" });
  return { ...user, accountId, lmBotId: lm, codingBotId: coding, apiKey: key.plaintext };
}
