import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { NotFoundError } from "@/lib/errors";
import { requireUuid, rows } from "./internal";

export interface Account {
  id: string;
  organizationId: string;
  kind: "organization" | "end_user";
  botId: string | null;
  endUserId: string | null;
}

interface AccountRow {
  id: string;
  organization_id: string;
  kind: "organization" | "end_user";
  bot_id: string | null;
  end_user_id: string | null;
}
const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  organizationId: r.organization_id,
  kind: r.kind,
  botId: r.bot_id,
  endUserId: r.end_user_id,
});

function isFkViolation(e: unknown): boolean {
  const err = e as { code?: string; cause?: { code?: string } };
  return err?.code === "23503" || err?.cause?.code === "23503";
}

/** The organization's pool account, created on first use (concurrency-safe). */
export async function getOrCreateOrgAccount(db: DbOrTx, organizationId: string): Promise<Account> {
  const orgId = requireUuid(organizationId, "organizationId");
  try {
    const inserted = await rows<AccountRow>(
      db,
      sql`insert into accounts (organization_id, kind) values (${orgId}, 'organization')
          on conflict (organization_id) where kind = 'organization' do nothing
          returning id, organization_id, kind, bot_id, end_user_id`,
    );
    if (inserted[0]) return toAccount(inserted[0]);
  } catch (e) {
    if (isFkViolation(e)) throw new NotFoundError("Organization", { organization_id: orgId });
    throw e;
  }
  return (await findOrgAccount(db, orgId))!;
}

/** The organization's pool account if it has one: reads create nothing. */
export async function findOrgAccount(db: DbOrTx, organizationId: string): Promise<Account | null> {
  const orgId = requireUuid(organizationId, "organizationId");
  const [row] = await rows<AccountRow>(
    db,
    sql`select id, organization_id, kind, bot_id, end_user_id from accounts where organization_id = ${orgId} and kind = 'organization'`,
  );
  return row ? toAccount(row) : null;
}

/** One end user's account in one bot (owned by the bot's organization), created on first use. */
export async function getOrCreateEndUserAccount(
  db: DbOrTx,
  input: { organizationId: string; botId: string; endUserId: string },
): Promise<Account> {
  const orgId = requireUuid(input.organizationId, "organizationId");
  const botId = requireUuid(input.botId, "botId");
  const endUserId = requireUuid(input.endUserId, "endUserId");
  try {
    const inserted = await rows<AccountRow>(
      db,
      sql`insert into accounts (organization_id, kind, bot_id, end_user_id) values (${orgId}, 'end_user', ${botId}, ${endUserId})
          on conflict (bot_id, end_user_id) where kind = 'end_user' do nothing
          returning id, organization_id, kind, bot_id, end_user_id`,
    );
    if (inserted[0]) return toAccount(inserted[0]);
  } catch (e) {
    if (isFkViolation(e)) throw new NotFoundError("Organization, bot or end user", { bot_id: botId, end_user_id: endUserId });
    throw e;
  }
  return (await findEndUserAccount(db, { botId, endUserId }))!;
}

/** One end user's account in one bot if they ever had one: reads create nothing. */
export async function findEndUserAccount(db: DbOrTx, input: { botId: string; endUserId: string }): Promise<Account | null> {
  const botId = requireUuid(input.botId, "botId");
  const endUserId = requireUuid(input.endUserId, "endUserId");
  const [row] = await rows<AccountRow>(
    db,
    sql`select id, organization_id, kind, bot_id, end_user_id from accounts where bot_id = ${botId} and end_user_id = ${endUserId} and kind = 'end_user'`,
  );
  return row ? toAccount(row) : null;
}

export async function getAccount(db: DbOrTx, accountId: string): Promise<Account | null> {
  const id = requireUuid(accountId, "accountId");
  const [row] = await rows<AccountRow>(db, sql`select id, organization_id, kind, bot_id, end_user_id from accounts where id = ${id}`);
  return row ? toAccount(row) : null;
}
