import type { DbOrTx } from "@/db/client";
import { findEndUser, getBot } from "@/lib/bots/bots";
import { findEndUserAccount, getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { getBalance, type Balance } from "@/lib/ledger/get-balance";

/**
 * GET /balance: the owner pool of the bot's organization, or — with an end user — that end user's own
 * credits in the bot. An end user never seen before, or one who never bought anything, simply has nothing
 * (and a read creates no account for them).
 */
export async function balanceFor(db: DbOrTx, input: { organizationId: string; botId?: string | null; endUserExternalId?: string | null }): Promise<Balance | null> {
  let organizationId = input.organizationId;
  if (input.botId) {
    const bot = await getBot(db, input.organizationId, input.botId);
    organizationId = bot.organizationId;
    if (input.endUserExternalId) {
      const endUser = await findEndUser(db, bot.id, input.endUserExternalId);
      if (!endUser) return null;
      const account = await findEndUserAccount(db, { botId: bot.id, endUserId: endUser.id });
      return account ? getBalance(db, account.id) : null;
    }
  }
  const account = await getOrCreateOrgAccount(db, organizationId);
  return getBalance(db, account.id);
}
