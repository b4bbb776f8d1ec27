import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { rows } from "./internal";

/** One breached invariant (SPEC §13), with up to `sampleLimit` offending rows. */
export interface Breach {
  invariant: string;
  description: string;
  count: number;
  samples: Record<string, unknown>[];
}

interface Check {
  invariant: string;
  description: string;
  query: SQL;
}

const CHECKS: Check[] = [
  {
    invariant: "1.batch_remaining_equals_entries",
    description: "remaining = amount − Σ outflows (Σ remaining_delta of the batch's entries)",
    query: sql`select b.id, b.remaining::text, coalesce(e.s, 0)::text as from_entries from batches b
               left join (select batch_id, sum(remaining_delta) s from ledger_entries group by batch_id) e on e.batch_id = b.id
               where b.remaining <> coalesce(e.s, 0)`,
  },
  {
    invariant: "1.batch_origin_entry",
    description: "every batch has exactly one grant or transfer_in entry, equal to its amount",
    query: sql`select b.id, b.amount::text, count(e.id) as origin_entries, sum(e.remaining_delta)::text as origin_total from batches b
               left join ledger_entries e on e.batch_id = b.id and e.kind in ('grant', 'transfer_in')
               group by b.id, b.amount having count(e.id) <> 1 or sum(e.remaining_delta) <> b.amount`,
  },
  {
    invariant: "1.batch_bounds",
    description: "0 ≤ remaining ≤ amount and 0 ≤ held ≤ remaining",
    query: sql`select id, amount::text, remaining::text, held::text from batches
               where remaining < 0 or remaining > amount or held < 0 or held > remaining or amount <= 0`,
  },
  {
    invariant: "1.batch_held_equals_entries",
    description: "held = Σ held_delta of the batch's hold/release/consume entries",
    query: sql`select b.id, b.held::text, coalesce(e.s, 0)::text as from_entries from batches b
               left join (select batch_id, sum(held_delta) s from ledger_entries group by batch_id) e on e.batch_id = b.id
               where b.held <> coalesce(e.s, 0)`,
  },
  {
    invariant: "1.batch_held_equals_open_holds",
    description: "held = Σ earmarks of open holds on the batch",
    query: sql`select b.id, b.held::text, coalesce(h.s, 0)::text as open_earmarks from batches b
               left join (select he.batch_id, sum(he.amount) s from hold_earmarks he join holds h on h.id = he.hold_id and h.status = 'open'
                          group by he.batch_id) h on h.batch_id = b.id
               where b.held <> coalesce(h.s, 0)`,
  },
  {
    invariant: "1.batch_expired_consistently",
    description: "a batch the expiry job processed had expired by then and keeps no unheld remainder",
    query: sql`select id, expires_at::text, expired_at::text, remaining::text, held::text from batches
               where expired_at is not null and (expires_at is null or expires_at > expired_at or remaining <> held)`,
  },
  {
    invariant: "2.entries_immutable",
    description: "the triggers refusing UPDATE/DELETE and TRUNCATE on ledger_entries are installed and enabled",
    query: sql`select g.name as trigger from (values ('ledger_entries_no_update_delete'), ('ledger_entries_no_truncate')) g(name)
                where not exists (select 1 from pg_trigger where tgname = g.name and tgenabled <> 'D' and tgrelid = 'ledger_entries'::regclass)`,
  },
  {
    invariant: "2.entry_shape",
    description: "each entry kind moves remaining/held in its own direction only",
    query: sql`select id, kind, remaining_delta::text, held_delta::text from ledger_entries where not (
                 (kind in ('grant', 'transfer_in') and remaining_delta > 0 and held_delta = 0) or
                 (kind in ('expire', 'void', 'transfer_out') and remaining_delta < 0 and held_delta = 0) or
                 (kind = 'consume' and remaining_delta < 0 and held_delta <= 0 and held_delta >= remaining_delta and usage_event_id is not null) or
                 (kind = 'hold' and remaining_delta = 0 and held_delta > 0 and hold_id is not null) or
                 (kind = 'release' and remaining_delta = 0 and held_delta < 0 and hold_id is not null) or
                 (kind = 'reversal' and held_delta = 0 and remaining_delta <> 0))`,
  },
  {
    invariant: "2.no_orphan_entries",
    description: "every entry points at an existing batch of its own account (and existing event/hold)",
    query: sql`select e.id, e.kind, e.batch_id, e.account_id from ledger_entries e
               left join batches b on b.id = e.batch_id
               where b.id is null or b.account_id <> e.account_id
                  or (e.usage_event_id is not null and not exists (select 1 from usage_events u where u.id = e.usage_event_id))
                  or (e.hold_id is not null and not exists (select 1 from holds h where h.id = e.hold_id and h.account_id = e.account_id))`,
  },
  {
    invariant: "3.event_charged_equals_allocations",
    description: "Σ allocations of a usage event = its charged; charged + uncollected = cost",
    query: sql`select u.id, u.cost::text, u.charged::text, u.uncollected::text, coalesce(a.s, 0)::text as allocated from usage_events u
               left join (select usage_event_id, sum(amount) s from usage_allocations group by usage_event_id) a on a.usage_event_id = u.id
               where u.charged <> coalesce(a.s, 0) or u.charged + u.uncollected <> u.cost or u.charged < 0 or u.uncollected < 0`,
  },
  {
    invariant: "3.allocations_equal_consume_entries",
    description: "every consumed micro-credit is one allocation of one event on one batch (consume entries = allocations)",
    query: sql`select coalesce(a.usage_event_id, c.usage_event_id) as usage_event_id, coalesce(a.batch_id, c.batch_id) as batch_id,
                      a.amount::text as allocated, c.s::text as consumed
                 from usage_allocations a
                 full join (select usage_event_id, batch_id, -sum(remaining_delta) s from ledger_entries where kind = 'consume'
                             group by usage_event_id, batch_id) c
                   on c.usage_event_id = a.usage_event_id and c.batch_id = a.batch_id
                where a.amount is distinct from c.s`,
  },
  {
    invariant: "3.no_orphan_allocations",
    description: "allocations point at an existing event and a batch of the event's account",
    query: sql`select a.usage_event_id, a.batch_id from usage_allocations a
               left join usage_events u on u.id = a.usage_event_id left join batches b on b.id = a.batch_id
               where u.id is null or b.id is null or b.account_id <> u.account_id`,
  },
  {
    invariant: "3.no_orphan_events",
    description: "usage events belong to an existing account of their organization",
    query: sql`select u.id, u.account_id from usage_events u left join accounts a on a.id = u.account_id
               where a.id is null or a.organization_id <> u.organization_id`,
  },
  {
    invariant: "3.usage_daily_matches_events",
    description: "the usage_daily rollup equals the sums of usage_events",
    query: sql`with ev as (select organization_id, (occurred_at at time zone 'UTC')::date as day, bot_id, category, pool, actor,
                                  sum(cost) cost, sum(charged) charged, sum(uncollected) uncollected, count(*) events
                             from usage_events group by 1, 2, 3, 4, 5, 6)
               select coalesce(ev.organization_id, d.organization_id) as organization_id, coalesce(ev.day, d.day)::text as day,
                      ev.charged::text as events_charged, d.charged::text as rollup_charged, ev.events as events, d.events as rollup_events
                 from ev full join usage_daily d
                   on d.organization_id = ev.organization_id and d.day = ev.day and d.bot_id is not distinct from ev.bot_id
                  and d.category is not distinct from ev.category and d.pool = ev.pool and d.actor = ev.actor
                where ev.cost is distinct from d.cost or ev.charged is distinct from d.charged
                   or ev.uncollected is distinct from d.uncollected or ev.events is distinct from d.events`,
  },
  {
    invariant: "4.transfers_conserve",
    description: "each transfer's transfer_out and transfer_in entries sum to zero",
    query: sql`select transfer_id, sum(remaining_delta)::text as net from ledger_entries where transfer_id is not null
               group by transfer_id having sum(remaining_delta) <> 0
                   or count(*) filter (where kind = 'transfer_out') = 0 or count(*) filter (where kind = 'transfer_in') = 0`,
  },
  {
    invariant: "4.hold_earmarks_consistent",
    description: "a hold's earmarks sum to its amount, on batches of its account",
    query: sql`select h.id, h.amount::text, coalesce(sum(he.amount), 0)::text as earmarked from holds h
               left join hold_earmarks he on he.hold_id = h.id left join batches b on b.id = he.batch_id
               group by h.id, h.amount having coalesce(sum(he.amount), 0) <> h.amount or bool_or(b.id is null or b.account_id <> h.account_id)`,
  },
  {
    invariant: "4.no_orphan_earmarks",
    description: "earmarks point at an existing hold",
    query: sql`select he.hold_id, he.batch_id from hold_earmarks he left join holds h on h.id = he.hold_id where h.id is null`,
  },
  {
    invariant: "4.purchase_grants_once",
    description: "a Stripe checkout session, invoice or other external reference is granted into one account only",
    query: sql`select external_ref, count(distinct account_id)::int as accounts from batches
                where external_ref is not null group by external_ref having count(distinct account_id) > 1`,
  },
  {
    invariant: "4.at_most_once_guards",
    description: "the unique keys that make a Stripe event, a checkout session, an invoice, an idempotency key and a grant take effect once are installed",
    query: sql`select g.name as index from (values ('stripe_events_pkey'), ('idempotency_keys_scope_key_pk'), ('batches_external_ref_unique'),
                      ('orders_checkout_session_unique'), ('orders_invoice_unique'), ('recharges_one_in_flight')) g(name)
                where not exists (select 1 from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = g.name and i.indisunique and i.indisvalid)`,
  },
  {
    invariant: "4.hold_resolves_once",
    description: "an open hold has its earmarks held; a resolved hold has nothing held, and a captured one exactly one usage event",
    query: sql`select h.id, h.status, coalesce(e.held, 0)::text as held_by_entries, coalesce(u.n, 0) as events from holds h
               left join (select hold_id, sum(held_delta) held from ledger_entries where hold_id is not null group by hold_id) e on e.hold_id = h.id
               left join (select hold_id, count(*) n, sum(charged) charged from usage_events where hold_id is not null group by hold_id) u on u.hold_id = h.id
               where (h.status = 'open' and coalesce(e.held, 0) <> h.amount)
                  or (h.status <> 'open' and coalesce(e.held, 0) <> 0)
                  or (h.status = 'captured' and (coalesce(u.n, 0) <> 1 or u.charged is distinct from h.captured))
                  or (h.status <> 'captured' and coalesce(u.n, 0) <> 0)`,
  },
];

/** Checks every SPEC §13 invariant; returns the breaches (empty when the ledger is sound). */
export async function verifyLedger(db: DbOrTx, options: { sampleLimit?: number } = {}): Promise<Breach[]> {
  const limit = options.sampleLimit ?? 5;
  const breaches: Breach[] = [];
  for (const check of CHECKS) {
    const found = await rows<Record<string, unknown>>(db, sql`select * from (${check.query}) q limit ${limit + 1000}`);
    if (found.length > 0) {
      breaches.push({ invariant: check.invariant, description: check.description, count: found.length, samples: found.slice(0, limit) });
    }
  }
  return breaches;
}

export const LEDGER_INVARIANTS = CHECKS.map((c) => ({ invariant: c.invariant, description: c.description }));
