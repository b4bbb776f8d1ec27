import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { isTransaction, type DbOrTx } from "@/db/client";
import { bots, endUsers } from "@/db/schema";
import { isUuid } from "@/lib/ids";
import { InvalidInputError, NotFoundError } from "@/lib/errors";
import { sharedCache } from "@/lib/metering/ttl-cache";

// Every metering call names a bot: keep them a few seconds (settings changes here invalidate at once).
const botCache = sharedCache<Bot>("bots", Number(process.env.BOT_CACHE_MS ?? 5000));

export type BotType = "language_model" | "coding";
export type Bot = typeof bots.$inferSelect;

export async function listBots(db: DbOrTx, organizationId: string): Promise<Bot[]> {
  return db.select().from(bots).where(and(eq(bots.organizationId, organizationId), isNull(bots.archivedAt))).orderBy(asc(bots.name));
}

/** A bot of this organization; another organization's bot (or a malformed id) is "not found". */
export async function getBot(db: DbOrTx, organizationId: string, botId: string): Promise<Bot> {
  if (!isUuid(botId)) throw new NotFoundError("Bot", { bot_id: botId });
  // Loaded by id alone and checked below, so a cached bot answers "not found" to other organizations too.
  const bot = await botCache.getOrLoad(
    botId,
    async () => {
      const [row] = await db.select().from(bots).where(eq(bots.id, botId)).limit(1);
      if (!row) throw new NotFoundError("Bot", { bot_id: botId });
      return row;
    },
    { shareLoad: !isTransaction(db) },
  );
  if (bot.organizationId !== organizationId) throw new NotFoundError("Bot", { bot_id: botId });
  return bot;
}

export async function createBot(db: DbOrTx, input: { organizationId: string; name: string; type: BotType }): Promise<Bot> {
  const name = input.name.trim();
  if (!name) throw new InvalidInputError("name", "Give the bot a name");
  if (name.length > 80) throw new InvalidInputError("name", "The name must be at most 80 characters");
  const [bot] = await db.insert(bots).values({ organizationId: input.organizationId, name, type: input.type }).returning();
  return bot;
}

export async function updateFreeReserve(
  db: DbOrTx,
  input: { organizationId: string; botId: string; perPeriod: bigint; answersPerVisitorPerDay: number },
): Promise<Bot> {
  if (input.perPeriod < 0n) throw new InvalidInputError("free_reserve_per_period", "The free reserve cannot be negative");
  if (!Number.isInteger(input.answersPerVisitorPerDay) || input.answersPerVisitorPerDay < 0 || input.answersPerVisitorPerDay > 100_000) {
    throw new InvalidInputError("free_answers_per_visitor_per_day", "Free answers per visitor per day must be a whole number from 0 to 100000");
  }
  await getBot(db, input.organizationId, input.botId);
  const [bot] = await db
    .update(bots)
    .set({ freeReservePerPeriod: input.perPeriod, freeAnswersPerVisitorPerDay: input.answersPerVisitorPerDay })
    .where(and(eq(bots.id, input.botId), eq(bots.organizationId, input.organizationId)))
    .returning();
  botCache.delete(bot.id);
  return bot;
}

const endUserCache = sharedCache<{ id: string; externalId: string }>("end-users", 60_000, 50_000);

/**
 * End users are created on first sight of the runtime's `end_user_id` (one statement, race-free).
 * Cached a minute, so last_seen_at moves at most once a minute per visitor instead of on every answer.
 */
export async function findOrCreateEndUser(db: DbOrTx, botId: string, externalId: string): Promise<{ id: string; externalId: string }> {
  const cacheKey = `${botId}:${externalId}`;
  const cached = endUserCache.get(cacheKey);
  if (cached) return cached;
  const [row] = await db
    .insert(endUsers)
    .values({ botId, externalId })
    .onConflictDoUpdate({ target: [endUsers.botId, endUsers.externalId], set: { lastSeenAt: sql`now()` } })
    .returning({ id: endUsers.id, externalId: endUsers.externalId });
  if (!isTransaction(db)) endUserCache.set(cacheKey, row);
  return row;
}

export async function findEndUser(db: DbOrTx, botId: string, externalId: string): Promise<{ id: string } | null> {
  const [row] = await db.select({ id: endUsers.id }).from(endUsers).where(and(eq(endUsers.botId, botId), eq(endUsers.externalId, externalId))).limit(1);
  return row ?? null;
}
