import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { Credits } from "@/lib/ledger/credits";
import { getOrCreateOrgAccount } from "@/lib/ledger/accounts";
import { getBalance } from "@/lib/ledger/get-balance";
import { addDays, averageMicro, utcDay } from "./arithmetic";
import { BOT_TYPE_KEYS, type BotTypeKey } from "./labels";
import { CALC_CATEGORIES, toPercentages, type CalcCategory } from "./estimate";

export { CALC_CATEGORIES, estimateCredits, toPercentages, type CalcCategory, type Estimate, type EstimateInput } from "./estimate";

/**
 * The credit calculator (SPEC §11, seed 002): conversations per month × answers per conversation ×
 * category mix × bot type → credits per month, prefilled from the organization's own last 30 days.
 */

export const AVERAGE_WINDOW_DAYS = 30;

/** Typical µc per event when the organization has no history of its own for a bot type and category. */
export const TYPICAL_COST: Record<BotTypeKey, Record<CalcCategory, bigint>> = {
  language_model: { llm: 4_200n, web_search: 10_000n, speech_to_text: 6_000n, code_artifact: 20_000n },
  coding: { llm: 12_000n, web_search: 10_000n, speech_to_text: 6_000n, code_artifact: 30_000n },
};
export const TYPICAL_MIX: Record<BotTypeKey, Record<CalcCategory, number>> = {
  language_model: { llm: 85, web_search: 10, speech_to_text: 5, code_artifact: 0 },
  coding: { llm: 70, web_search: 5, speech_to_text: 0, code_artifact: 25 },
};

export interface CalculatorDefaults {
  windowDays: number;
  available: string;
  botTypes: Record<
    BotTypeKey,
    {
      /** Events of the window per category (what the mix is made of). */
      events: number;
      fromHistory: boolean;
      /** Credits per event per category (decimal strings), own average or typical. */
      costPerEvent: Record<CalcCategory, string>;
      /** Percent of events per category, summing to 100. */
      mix: Record<CalcCategory, number>;
    }
  >;
  /** Prefill: answers (events) per month seen in the window, split 4 answers a conversation. */
  suggested: { botType: BotTypeKey; conversationsPerMonth: number; answersPerConversation: number };
}

export async function getCalculatorDefaults(db: DbOrTx, organizationId: string, now = new Date()): Promise<CalculatorDefaults> {
  const to = utcDay(now);
  const from = addDays(to, -(AVERAGE_WINDOW_DAYS - 1));
  const account = await getOrCreateOrgAccount(db, organizationId);
  const [rows, balance] = await Promise.all([
    db.execute(sql`
      select b.type::text as bot_type, d.category::text as category, sum(d.cost)::text as cost, sum(d.events)::bigint::text as events
        from usage_daily d join bots b on b.id = d.bot_id
       where d.organization_id = ${organizationId} and d.day >= ${from}::date and d.day <= ${to}::date
         and d.category in ('llm', 'web_search', 'speech_to_text', 'code_artifact')
       group by b.type, d.category`) as unknown as Promise<{ bot_type: BotTypeKey; category: CalcCategory; cost: string; events: string }[]>,
    getBalance(db, account.id, { now }),
  ]);
  const botTypes = {} as CalculatorDefaults["botTypes"];
  let bestType: BotTypeKey = "language_model";
  let bestEvents = -1;
  for (const t of BOT_TYPE_KEYS) {
    const mine = rows.filter((r) => r.bot_type === t);
    const events = mine.reduce((s, r) => s + Number(r.events), 0);
    const costPerEvent = {} as Record<CalcCategory, string>;
    const counts = {} as Record<CalcCategory, number>;
    for (const c of CALC_CATEGORIES) {
      const r = mine.find((x) => x.category === c);
      const avg = r ? averageMicro(BigInt(r.cost), BigInt(r.events)) : null;
      costPerEvent[c] = Credits.format(avg ?? TYPICAL_COST[t][c]);
      counts[c] = r ? Number(r.events) : 0;
    }
    botTypes[t] = { events, fromHistory: events > 0, costPerEvent, mix: events > 0 ? toPercentages(counts) : { ...TYPICAL_MIX[t] } };
    if (events > bestEvents) {
      bestEvents = events;
      bestType = t;
    }
  }
  const perMonth = Math.round((bestEvents * 30) / AVERAGE_WINDOW_DAYS);
  const answersPerConversation = 4;
  return {
    windowDays: AVERAGE_WINDOW_DAYS,
    available: Credits.format(balance.available),
    botTypes,
    suggested: { botType: bestType, conversationsPerMonth: perMonth > 0 ? Math.max(1, Math.round(perMonth / answersPerConversation)) : 1000, answersPerConversation },
  };
}

