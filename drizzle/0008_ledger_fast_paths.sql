-- Ledger fast paths (replaces the two hot-path functions of 0002; same signatures and result columns).
-- The consumption ORDER BY below MUST mirror lib/ledger/consumption-order.ts (CONSUMPTION_ORDER_SQL);
-- lib/ledger/consumption-order.test.ts checks that every function here contains it verbatim.
--
-- What is faster than 0002 (same signatures, same result columns, same semantics):
--  * ids are client-generated and time-ordered (UUIDv7, lib/ledger/internal.ts newId): the primary keys
--    of usage_events / holds and the indexes leading with them (usage_allocations, ledger_entries by
--    event) grow at their right edge instead of dirtying (and full-page-logging) random pages;
--  * input parsed in one sorted pass (not one sort per field); accounts locked by primary-key probes
--    (no seq scan of accounts); the writes of a flush are three statements (data-modifying CTEs);
--    allocations returned as text built while allocating (no final group/join);
--  * ledger_resolve_holds is set-based like ledger_apply_debits: accounts, holds, earmarks and batches
--    are read (and locked) once per flush, the work is done on arrays, and every table is written with
--    one multi-row statement (one usage_daily upsert per group), instead of ~10 statements per hold;
--  * rollup rows are upserted in a fixed order, so parallel flushes on disjoint accounts (see
--    GroupCommitQueue maxInFlight) cannot deadlock on usage_daily.
--
-- Retry safety: items carry client-generated ids (`id`: the usage event id of a debit, the hold id of a
-- hold; `usage_event_id` of a capture). An item flagged `retry` that is found already applied (checked
-- after the account lock, so a still-committing original is waited for) is reported 'ok' with its
-- original allocations / charged / released / uncollected — and the account's current `available` —
-- instead of being applied again. A retried release/expire of a hold already released/expired reports
-- that outcome too. Without `retry`, a duplicate id fails the flush on the primary key (and the queue
-- then retries item by item, flagged).
CREATE OR REPLACE FUNCTION ledger_apply_debits(p_items jsonb, p_now timestamptz)
RETURNS TABLE (ord int, status text, usage_event_id uuid, hold_id uuid, available bigint, shortfall bigint, allocations jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  n int; v_valid bool; v_retry bool; r_o int[]; r_os int[]; s_ids uuid[];
  r_id uuid[]; r_hold bool[]; r_acct uuid[]; r_amount bigint[]; r_bot uuid[]; r_eu uuid[]; r_actor text[]; r_cat text[];
  r_qty jsonb[]; r_pool text[]; r_occ timestamptz[]; r_rcv int[]; r_desc text[]; r_hexp timestamptz[]; r_meta jsonb[];
  r_slot int[]; r_org uuid[];
  s_acct uuid[]; s_org uuid[]; s_ptr int[]; s_avail bigint[]; k int;
  b_id uuid[]; b_free bigint[]; b_slot int[]; m int;
  d_ids uuid[] := '{}';
  a_batch uuid[] := '{}'; a_amt bigint[] := '{}'; a_pos int[] := '{}';
  a_ev uuid[] := '{}'; a_hold uuid[] := '{}'; a_acct uuid[] := '{}'; na int := 0;
  res_alloc text[]; v_al text; res_code int[]; res_avail bigint[]; res_short bigint[]; ev_ids uuid[]; hold_ids uuid[]; out_ev uuid[]; out_hold uuid[];
  i int; j int; sl int; amt bigint; need bigint; take bigint; pos int; v_ev uuid; v_hold uuid;
  n_ev int := 0; n_hold int := 0;
BEGIN
  -- One pass over the items, sorted once by arrival (ordinality). The aggregates below take their input
  -- in that order in practice; r_o (ordinalities as aggregated) = r_os (sorted) proves it, else the
  -- items are parsed again with an ORDER BY on every aggregate (the documented guarantee).
  SELECT count(*)::int, array_agg(x.o::int), array_agg(x.o::int ORDER BY x.o),
         array_agg(coalesce(x.id, gen_random_uuid())),
         array_agg(x.kind = 'hold'), array_agg(x.account_id), array_agg(x.amount),
         array_agg(x.bot_id), array_agg(x.end_user_id), array_agg(x.actor),
         array_agg(x.category), array_agg(coalesce(x.quantities, '{}'::jsonb)),
         array_agg(x.pool), array_agg(coalesce(x.occurred_at, p_now)),
         array_agg(x.rate_card_version), array_agg(x.description),
         array_agg(coalesce(x.hold_expires_at, p_now + interval '15 minutes')),
         array_agg(coalesce(x.metadata, '{}'::jsonb)),
         array_agg(DISTINCT x.account_id ORDER BY x.account_id) FILTER (WHERE x.account_id IS NOT NULL),
         bool_and(x.amount IS NOT NULL AND x.amount > 0 AND x.kind IN ('debit', 'hold') AND x.account_id IS NOT NULL),
         bool_or(coalesce(x.retry, false))
    INTO n, r_o, r_os, r_id, r_hold, r_acct, r_amount, r_bot, r_eu, r_actor, r_cat, r_qty, r_pool, r_occ, r_rcv, r_desc, r_hexp,
         r_meta, s_ids, v_valid, v_retry
    FROM (SELECT * FROM ROWS FROM (jsonb_to_recordset(p_items) AS (id uuid, kind text, account_id uuid, amount bigint, bot_id uuid,
            end_user_id uuid, actor text, category text, quantities jsonb, pool text, occurred_at timestamptz,
            rate_card_version int, description text, hold_expires_at timestamptz, metadata jsonb, retry bool)) WITH ORDINALITY
            AS x0(id, kind, account_id, amount, bot_id, end_user_id, actor, category, quantities, pool, occurred_at,
                  rate_card_version, description, hold_expires_at, metadata, retry, o)
           ORDER BY x0.o) x;
  IF r_o IS DISTINCT FROM r_os THEN
    SELECT
         array_agg(coalesce(x.id, gen_random_uuid()) ORDER BY x.o),
         array_agg(x.kind = 'hold' ORDER BY x.o), array_agg(x.account_id ORDER BY x.o), array_agg(x.amount ORDER BY x.o),
         array_agg(x.bot_id ORDER BY x.o), array_agg(x.end_user_id ORDER BY x.o), array_agg(x.actor ORDER BY x.o),
         array_agg(x.category ORDER BY x.o), array_agg(coalesce(x.quantities, '{}'::jsonb) ORDER BY x.o),
         array_agg(x.pool ORDER BY x.o), array_agg(coalesce(x.occurred_at, p_now) ORDER BY x.o),
         array_agg(x.rate_card_version ORDER BY x.o), array_agg(x.description ORDER BY x.o),
         array_agg(coalesce(x.hold_expires_at, p_now + interval '15 minutes') ORDER BY x.o),
         array_agg(coalesce(x.metadata, '{}'::jsonb) ORDER BY x.o)
      INTO r_id, r_hold, r_acct, r_amount, r_bot, r_eu, r_actor, r_cat, r_qty, r_pool, r_occ, r_rcv, r_desc, r_hexp, r_meta
      FROM ROWS FROM (jsonb_to_recordset(p_items) AS (id uuid, kind text, account_id uuid, amount bigint, bot_id uuid,
             end_user_id uuid, actor text, category text, quantities jsonb, pool text, occurred_at timestamptz,
             rate_card_version int, description text, hold_expires_at timestamptz, metadata jsonb, retry bool)) WITH ORDINALITY
             AS x(id, kind, account_id, amount, bot_id, end_user_id, actor, category, quantities, pool, occurred_at,
                  rate_card_version, description, hold_expires_at, metadata, retry, o);
  END IF;
  IF n = 0 THEN RETURN; END IF;
  IF v_valid IS NOT TRUE THEN
    RAISE EXCEPTION 'ledger_apply_debits: every item needs kind debit|hold, an account_id and a positive amount'
      USING ERRCODE = 'check_violation';
  END IF;

  -- Lock every account of the flush once, in id order: one primary-key probe per distinct account.
  SELECT array_agg(a.id ORDER BY u.o), array_agg(a.organization_id ORDER BY u.o)
    INTO s_acct, s_org
    FROM unnest(s_ids) WITH ORDINALITY u(acct, o)
    CROSS JOIN LATERAL (SELECT ac.id, ac.organization_id FROM accounts ac WHERE ac.id = u.acct FOR NO KEY UPDATE) a;
  k := coalesce(array_length(s_acct, 1), 0);

  -- Retries: which of these ids are already applied (visible now that the accounts are locked).
  IF v_retry THEN
    SELECT coalesce(array_agg(z.id), '{}') INTO d_ids
      FROM (SELECT ue.id FROM usage_events ue WHERE ue.id = ANY (r_id)
            UNION ALL SELECT ho.id FROM holds ho WHERE ho.id = ANY (r_id)) z;
  END IF;

  -- Usable batches of those accounts, per account in consumption order.
  SELECT array_agg(q.id ORDER BY q.rn), array_agg(q.free ORDER BY q.rn), array_agg(q.slot ORDER BY q.rn)
    INTO b_id, b_free, b_slot
    FROM (SELECT b.id, b.remaining - b.held AS free, s.slot::int AS slot,
                 row_number() OVER (ORDER BY s.slot, b.priority ASC NULLS LAST, (b.type = 'paid') ASC, b.expires_at ASC NULLS LAST, b.added_at ASC, b.seq ASC) AS rn
            FROM batches b
            JOIN unnest(s_acct) WITH ORDINALITY s(acct, slot) ON b.account_id = s.acct
           WHERE b.remaining > b.held AND b.voided_at IS NULL AND b.added_at <= p_now
             AND (b.expires_at IS NULL OR b.expires_at > p_now)) q;
  m := coalesce(array_length(b_id, 1), 0);

  s_ptr := array_fill(0, ARRAY[greatest(k, 1)]);
  s_avail := array_fill(0::bigint, ARRAY[greatest(k, 1)]);
  FOR j IN REVERSE m..1 LOOP
    s_ptr[b_slot[j]] := j;
    s_avail[b_slot[j]] := s_avail[b_slot[j]] + b_free[j];
  END LOOP;

  res_alloc := array_fill('[]'::text, ARRAY[n]);
  res_code := array_fill(0, ARRAY[n]);
  res_avail := array_fill(0::bigint, ARRAY[n]);
  res_short := array_fill(0::bigint, ARRAY[n]);
  ev_ids := array_fill(NULL::uuid, ARRAY[n]);
  hold_ids := array_fill(NULL::uuid, ARRAY[n]);
  out_ev := array_fill(NULL::uuid, ARRAY[n]);
  out_hold := array_fill(NULL::uuid, ARRAY[n]);
  r_org := array_fill(NULL::uuid, ARRAY[n]);

  FOR i IN 1..n LOOP
    sl := coalesce(array_position(s_acct, r_acct[i]), 0);
    IF sl = 0 THEN res_code[i] := 2; CONTINUE; END IF;
    IF v_retry AND r_id[i] = ANY (d_ids) THEN
      -- already applied by an earlier attempt: report it, apply nothing
      res_code[i] := 3; res_avail[i] := s_avail[sl];
      IF r_hold[i] THEN out_hold[i] := r_id[i]; ELSE out_ev[i] := r_id[i]; END IF;
      CONTINUE;
    END IF;
    amt := r_amount[i];
    IF s_avail[sl] < amt THEN
      res_code[i] := 1; res_avail[i] := s_avail[sl]; res_short[i] := amt - s_avail[sl];
      CONTINUE;
    END IF;
    v_ev := NULL; v_hold := NULL;
    IF r_hold[i] THEN v_hold := r_id[i]; hold_ids[i] := v_hold; out_hold[i] := v_hold; n_hold := n_hold + 1;
    ELSE v_ev := r_id[i]; ev_ids[i] := v_ev; out_ev[i] := v_ev; n_ev := n_ev + 1; END IF;
    r_org[i] := s_org[sl];
    need := amt; j := s_ptr[sl]; pos := 0; v_al := '[';
    WHILE need > 0 LOOP
      take := least(need, b_free[j]);
      IF take > 0 THEN
        na := na + 1; pos := pos + 1;
        a_batch[na] := b_id[j]; a_amt[na] := take; a_pos[na] := pos;
        a_ev[na] := v_ev; a_hold[na] := v_hold; a_acct[na] := s_acct[sl];
        b_free[j] := b_free[j] - take; need := need - take;
        v_al := v_al || CASE WHEN pos > 1 THEN ',' ELSE '' END
                     || '{"batch_id":"' || b_id[j] || '","amount":"' || take || '"}';
      END IF;
      IF b_free[j] = 0 THEN j := j + 1; END IF;
    END LOOP;
    res_alloc[i] := v_al || ']';
    s_ptr[sl] := j;
    s_avail[sl] := s_avail[sl] - amt;
    res_avail[i] := s_avail[sl];
  END LOOP;

  IF n_ev > 0 THEN
    -- the debits' usage events, their allocations and the daily rollup: one statement
    WITH ev AS (
      INSERT INTO usage_events (id, organization_id, account_id, bot_id, end_user_id, actor, category, quantities,
                                cost, charged, uncollected, pool, occurred_at, created_at, rate_card_version, description)
      SELECT u.ev, u.org, u.acct, u.bot, u.eu, u.actor::usage_actor, u.cat::usage_category, u.qty,
             u.amt, u.amt, 0, u.pool::usage_pool, u.occ, p_now, u.rcv, u.descr
        FROM unnest(ev_ids, r_org, r_acct, r_bot, r_eu, r_actor, r_cat, r_qty, r_amount, r_pool, r_occ, r_rcv, r_desc)
             AS u(ev, org, acct, bot, eu, actor, cat, qty, amt, pool, occ, rcv, descr)
       WHERE u.ev IS NOT NULL
    ), al AS (
      INSERT INTO usage_allocations (usage_event_id, batch_id, amount)
      SELECT a.ev, a.b, a.amt FROM unnest(a_ev, a_batch, a_amt) AS a(ev, b, amt) WHERE a.ev IS NOT NULL
    )
    INSERT INTO usage_daily AS d (organization_id, day, bot_id, category, pool, actor, cost, charged, uncollected, events)
    SELECT u.org, (u.occ AT TIME ZONE 'UTC')::date, u.bot, u.cat::usage_category, u.pool::usage_pool, u.actor::usage_actor,
           sum(u.amt), sum(u.amt), 0, count(*)
      FROM unnest(ev_ids, r_org, r_bot, r_cat, r_pool, r_actor, r_occ, r_amount)
           AS u(ev, org, bot, cat, pool, actor, occ, amt)
     WHERE u.ev IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5, 6
     ORDER BY 1, 2, 3, 4, 5, 6 -- one lock order for rollup rows across concurrent flushes (no deadlocks)
    ON CONFLICT ON CONSTRAINT usage_daily_group_unique DO UPDATE
       SET cost = d.cost + excluded.cost, charged = d.charged + excluded.charged,
           uncollected = d.uncollected + excluded.uncollected, events = d.events + excluded.events;
  END IF;

  IF n_hold > 0 THEN
    WITH ho AS (
      INSERT INTO holds (id, account_id, organization_id, amount, status, expires_at, created_at, metadata)
      SELECT u.h, u.acct, u.org, u.amt, 'open', u.hexp, p_now,
             u.meta || jsonb_strip_nulls(jsonb_build_object('bot_id', u.bot, 'end_user_id', u.eu, 'actor', u.actor,
               'category', u.cat, 'pool', u.pool, 'quantities', u.qty, 'rate_card_version', u.rcv, 'description', u.descr))
        FROM unnest(hold_ids, r_org, r_acct, r_amount, r_hexp, r_meta, r_bot, r_eu, r_actor, r_cat, r_pool, r_qty, r_rcv, r_desc)
             AS u(h, org, acct, amt, hexp, meta, bot, eu, actor, cat, pool, qty, rcv, descr)
       WHERE u.h IS NOT NULL
    )
    INSERT INTO hold_earmarks (hold_id, batch_id, position, amount)
    SELECT a.h, a.b, a.pos, a.amt FROM unnest(a_hold, a_batch, a_amt, a_pos) AS a(h, b, amt, pos) WHERE a.h IS NOT NULL;
  END IF;

  IF na > 0 THEN
    -- the entries and the batches they move: one statement
    WITH le AS (
      INSERT INTO ledger_entries (account_id, batch_id, kind, remaining_delta, held_delta, usage_event_id, hold_id, created_at)
      SELECT a.acct, a.b,
             CASE WHEN a.ev IS NOT NULL THEN 'consume'::ledger_entry_kind ELSE 'hold'::ledger_entry_kind END,
             CASE WHEN a.ev IS NOT NULL THEN -a.amt ELSE 0 END,
             CASE WHEN a.ev IS NOT NULL THEN 0 ELSE a.amt END,
             a.ev, a.h, p_now
        FROM unnest(a_acct, a_batch, a_amt, a_ev, a_hold) WITH ORDINALITY AS a(acct, b, amt, ev, h, o) ORDER BY a.o
    )
    UPDATE batches b
       SET remaining = b.remaining - t.consumed, held = b.held + t.earmarked
      FROM (SELECT a.b AS batch_id,
                   sum(CASE WHEN a.ev IS NOT NULL THEN a.amt ELSE 0 END) AS consumed,
                   sum(CASE WHEN a.ev IS NOT NULL THEN 0 ELSE a.amt END) AS earmarked
              FROM unnest(a_batch, a_amt, a_ev) AS a(b, amt, ev) GROUP BY a.b) t
     WHERE b.id = t.batch_id;
  END IF;

  RETURN QUERY
    SELECT g.o::int,
           CASE g.code WHEN 0 THEN 'ok' WHEN 3 THEN 'ok' WHEN 1 THEN 'insufficient' ELSE 'unknown_account' END,
           g.ev, g.h,
           CASE WHEN g.code = 2 THEN NULL ELSE g.av END,
           CASE WHEN g.code = 1 THEN g.sh ELSE NULL END,
           CASE WHEN g.code = 3 THEN
             CASE WHEN g.h IS NOT NULL THEN
               (SELECT coalesce(jsonb_agg(jsonb_build_object('batch_id', he.batch_id, 'amount', he.amount::text) ORDER BY he.position), '[]'::jsonb)
                  FROM hold_earmarks he WHERE he.hold_id = g.h)
             ELSE
               (SELECT coalesce(jsonb_agg(jsonb_build_object('batch_id', le.batch_id, 'amount', (-le.remaining_delta)::text) ORDER BY le.id), '[]'::jsonb)
                  FROM ledger_entries le WHERE le.usage_event_id = g.ev AND le.kind = 'consume')
             END
           ELSE g.al::jsonb END
      FROM unnest(res_code, out_ev, out_hold, res_avail, res_short, res_alloc) WITH ORDINALITY AS g(code, ev, h, av, sh, al, o);
END $$;
--> statement-breakpoint
-- Captures, releases and expiries of holds, many at once, in array order — set-based: the accounts,
-- holds, earmarks and batches of the flush are read (and locked) once; every write is one multi-row
-- statement per table; one usage_daily upsert per group.
-- p_items: jsonb array of {hold_id, action: 'capture'|'release'|'expire', amount (µc string, capture only),
--   usage_event_id (capture: client-generated id of the usage event), retry (bool),
--   category, quantities, occurred_at, rate_card_version, description (override the hold's metadata)}.
-- status: 'ok' | 'not_found' | 'already_resolved' | 'not_due' | 'expired' (capture of an expired hold).
CREATE OR REPLACE FUNCTION ledger_resolve_holds(p_items jsonb, p_now timestamptz)
RETURNS TABLE (ord int, status text, hold_status text, usage_event_id uuid, charged bigint, released bigint,
               uncollected bigint, available bigint, allocations jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  n int; v_bad_action bool; v_bad_amount bool; r_o int[]; r_os int[];
  r_hold uuid[]; r_action text[]; r_amount bigint[]; r_cat text[]; r_qty jsonb[]; r_occ timestamptz[]; r_rcv int[];
  r_desc text[]; r_ev uuid[]; r_retry bool[]; r_hslot int[];
  h_id uuid[]; h_acct uuid[]; h_org uuid[]; h_amount bigint[]; h_status text[]; h_exp timestamptz[]; h_meta jsonb[];
  h_ev uuid[]; h_cap bigint[]; h_rel bigint[]; h_unc bigint[]; h_slot int[]; h_e0 int[]; h_e1 int[]; nh int;
  s_acct uuid[]; s_avail bigint[]; s_b0 int[]; s_b1 int[]; k int;
  b_id uuid[]; b_free bigint[]; b_spend bool[]; b_gone text[]; b_slot int[]; m int;
  e_hslot int[]; e_bidx int[]; e_amt bigint[]; ne int;
  le_req int[] := '{}'; le_acct uuid[] := '{}'; le_batch uuid[] := '{}'; le_kind text[] := '{}'; le_rd bigint[] := '{}';
  le_hd bigint[] := '{}'; le_ev uuid[] := '{}'; le_hold uuid[] := '{}'; le_note text[] := '{}'; nle int := 0;
  ue_n int := 0; ue_ev uuid[] := '{}'; ue_org uuid[] := '{}'; ue_acct uuid[] := '{}'; ue_bot uuid[] := '{}';
  ue_eu uuid[] := '{}'; ue_actor text[] := '{}'; ue_cat text[] := '{}'; ue_qty jsonb[] := '{}'; ue_cost bigint[] := '{}';
  ue_charged bigint[] := '{}'; ue_pool text[] := '{}'; ue_occ timestamptz[] := '{}'; ue_hold uuid[] := '{}';
  ue_rcv int[] := '{}'; ue_desc text[] := '{}';
  hu_n int := 0; hu_id uuid[] := '{}'; hu_status text[] := '{}'; hu_cap bigint[] := '{}'; hu_rel bigint[] := '{}';
  hu_unc bigint[] := '{}'; hu_ev uuid[] := '{}';
  res_code int[]; res_hst text[]; res_ev uuid[]; res_ch bigint[]; res_rel bigint[]; res_unc bigint[]; res_av bigint[];
  res_replay bool[];
  i int; j int; q int; hs int; sl int; bj int; v_left bigint; v_take bigint; v_rel bigint; v_charged bigint;
  v_released bigint; v_excess bigint; v_ev uuid; v_meta jsonb; v_new text; v_act text;
BEGIN
  -- One pass over the items, sorted once by arrival; verified (r_o = r_os) or parsed again with an
  -- ORDER BY on every aggregate, as in ledger_apply_debits.
  SELECT count(*)::int, array_agg(x.o::int), array_agg(x.o::int ORDER BY x.o),
         array_agg(x.hold_id), array_agg(x.action), array_agg(x.amount),
         array_agg(x.category), array_agg(x.quantities), array_agg(x.occurred_at),
         array_agg(x.rate_card_version), array_agg(x.description),
         array_agg(x.usage_event_id), array_agg(coalesce(x.retry, false)),
         bool_or(x.action IS NULL OR x.action NOT IN ('capture', 'release', 'expire')),
         bool_or(x.action = 'capture' AND (x.amount IS NULL OR x.amount <= 0))
    INTO n, r_o, r_os, r_hold, r_action, r_amount, r_cat, r_qty, r_occ, r_rcv, r_desc, r_ev, r_retry, v_bad_action, v_bad_amount
    FROM (SELECT * FROM ROWS FROM (jsonb_to_recordset(p_items) AS (hold_id uuid, action text, amount bigint, category text,
            quantities jsonb, occurred_at timestamptz, rate_card_version int, description text, usage_event_id uuid,
            retry bool)) WITH ORDINALITY
            AS x0(hold_id, action, amount, category, quantities, occurred_at, rate_card_version, description, usage_event_id, retry, o)
           ORDER BY x0.o) x;
  IF r_o IS DISTINCT FROM r_os THEN
    SELECT array_agg(x.hold_id ORDER BY x.o), array_agg(x.action ORDER BY x.o), array_agg(x.amount ORDER BY x.o),
           array_agg(x.category ORDER BY x.o), array_agg(x.quantities ORDER BY x.o), array_agg(x.occurred_at ORDER BY x.o),
           array_agg(x.rate_card_version ORDER BY x.o), array_agg(x.description ORDER BY x.o),
           array_agg(x.usage_event_id ORDER BY x.o), array_agg(coalesce(x.retry, false) ORDER BY x.o)
      INTO r_hold, r_action, r_amount, r_cat, r_qty, r_occ, r_rcv, r_desc, r_ev, r_retry
      FROM ROWS FROM (jsonb_to_recordset(p_items) AS (hold_id uuid, action text, amount bigint, category text,
             quantities jsonb, occurred_at timestamptz, rate_card_version int, description text, usage_event_id uuid,
             retry bool)) WITH ORDINALITY
           AS x(hold_id, action, amount, category, quantities, occurred_at, rate_card_version, description, usage_event_id, retry, o);
  END IF;
  IF n = 0 THEN RETURN; END IF;
  IF v_bad_action THEN
    RAISE EXCEPTION 'ledger_resolve_holds: unknown action' USING ERRCODE = 'check_violation';
  END IF;
  IF v_bad_amount THEN
    RAISE EXCEPTION 'ledger_resolve_holds: capture amount must be positive' USING ERRCODE = 'check_violation';
  END IF;

  -- Lock the accounts of every hold of the flush once, in id order; then the holds, in id order.
  SELECT array_agg(a.id ORDER BY u.o) INTO s_acct
    FROM unnest((SELECT array_agg(DISTINCT ho.account_id ORDER BY ho.account_id) FROM holds ho WHERE ho.id = ANY (r_hold)))
         WITH ORDINALITY u(acct, o)
    CROSS JOIN LATERAL (SELECT ac.id FROM accounts ac WHERE ac.id = u.acct FOR NO KEY UPDATE) a;
  k := coalesce(array_length(s_acct, 1), 0);

  SELECT array_agg(z.id), array_agg(z.account_id), array_agg(z.organization_id),
         array_agg(z.amount), array_agg(z.status::text), array_agg(z.expires_at),
         array_agg(z.metadata), array_agg(z.usage_event_id), array_agg(z.captured),
         array_agg(z.released), array_agg(z.uncollected), array_agg(z.slot)
    INTO h_id, h_acct, h_org, h_amount, h_status, h_exp, h_meta, h_ev, h_cap, h_rel, h_unc, h_slot
    FROM (SELECT ho.* FROM holds ho
           WHERE ho.id IN (SELECT DISTINCT u.id FROM unnest(r_hold) u(id)) ORDER BY ho.id FOR UPDATE) z0
    JOIN LATERAL (SELECT z0.*, (array_position(s_acct, z0.account_id))::int AS slot) z ON true;
  nh := coalesce(array_length(h_id, 1), 0);

  SELECT array_agg(coalesce(h.slot, 0)::int ORDER BY u.o) INTO r_hslot
    FROM unnest(r_hold) WITH ORDINALITY u(id, o)
    LEFT JOIN unnest(h_id) WITH ORDINALITY h(id, slot) ON h.id = u.id;

  -- The batches involved: every spendable batch of those accounts (consumption order, for an excess and
  -- for `available`) and every earmarked batch (spendable or not), grouped per account.
  SELECT array_agg(q.id ORDER BY q.rn), array_agg(q.free ORDER BY q.rn), array_agg(q.spend ORDER BY q.rn),
         array_agg(q.gone ORDER BY q.rn), array_agg(q.slot ORDER BY q.rn)
    INTO b_id, b_free, b_spend, b_gone, b_slot
    FROM (SELECT bb.id, bb.remaining - bb.held AS free, s.slot::int AS slot,
                 (bb.voided_at IS NULL AND bb.added_at <= p_now AND (bb.expires_at IS NULL OR bb.expires_at > p_now)) AS spend,
                 CASE WHEN bb.voided_at IS NOT NULL THEN 'void'
                      WHEN bb.expires_at IS NOT NULL AND bb.expires_at <= p_now THEN 'expire' END AS gone,
                 row_number() OVER (ORDER BY s.slot,
                   (bb.voided_at IS NULL AND bb.added_at <= p_now AND (bb.expires_at IS NULL OR bb.expires_at > p_now)) DESC,
                   bb.priority ASC NULLS LAST, (bb.type = 'paid') ASC, bb.expires_at ASC NULLS LAST, bb.added_at ASC, bb.seq ASC) AS rn
            FROM batches bb
            JOIN unnest(s_acct) WITH ORDINALITY s(acct, slot) ON bb.account_id = s.acct
           WHERE (bb.remaining > 0 AND bb.voided_at IS NULL AND bb.added_at <= p_now
                  AND (bb.expires_at IS NULL OR bb.expires_at > p_now))
              OR bb.id IN (SELECT he.batch_id FROM hold_earmarks he WHERE he.hold_id = ANY (h_id))) q;
  m := coalesce(array_length(b_id, 1), 0);

  s_avail := array_fill(0::bigint, ARRAY[greatest(k, 1)]);
  s_b0 := array_fill(1, ARRAY[greatest(k, 1)]);
  s_b1 := array_fill(0, ARRAY[greatest(k, 1)]);
  FOR j IN REVERSE m..1 LOOP
    s_b0[b_slot[j]] := j;
    IF s_b1[b_slot[j]] = 0 THEN s_b1[b_slot[j]] := j; END IF;
    IF b_spend[j] THEN s_avail[b_slot[j]] := s_avail[b_slot[j]] + b_free[j]; END IF;
  END LOOP;

  -- Earmarks per hold, in position order.
  SELECT array_agg(e.hslot ORDER BY e.hslot, e.position), array_agg(e.bidx ORDER BY e.hslot, e.position),
         array_agg(e.amount ORDER BY e.hslot, e.position)
    INTO e_hslot, e_bidx, e_amt
    FROM (SELECT array_position(h_id, he.hold_id) AS hslot, array_position(b_id, he.batch_id) AS bidx, he.position, he.amount
            FROM hold_earmarks he WHERE he.hold_id = ANY (h_id)) e;
  ne := coalesce(array_length(e_hslot, 1), 0);
  h_e0 := array_fill(1, ARRAY[greatest(nh, 1)]);
  h_e1 := array_fill(0, ARRAY[greatest(nh, 1)]);
  FOR q IN REVERSE ne..1 LOOP
    h_e0[e_hslot[q]] := q;
    IF h_e1[e_hslot[q]] = 0 THEN h_e1[e_hslot[q]] := q; END IF;
  END LOOP;

  res_code := array_fill(0, ARRAY[n]);
  res_hst := array_fill(NULL::text, ARRAY[n]);
  res_ev := array_fill(NULL::uuid, ARRAY[n]);
  res_ch := array_fill(NULL::bigint, ARRAY[n]);
  res_rel := array_fill(NULL::bigint, ARRAY[n]);
  res_unc := array_fill(NULL::bigint, ARRAY[n]);
  res_av := array_fill(NULL::bigint, ARRAY[n]);
  res_replay := array_fill(false, ARRAY[n]);

  FOR i IN 1..n LOOP
    hs := r_hslot[i];
    v_act := r_action[i];
    IF hs = 0 THEN res_code[i] := 1; CONTINUE; END IF;
    sl := h_slot[hs];
    IF h_status[hs] <> 'open' THEN
      IF r_retry[i] AND ((v_act = 'capture' AND h_status[hs] = 'captured' AND h_ev[hs] = r_ev[i])
                         OR (v_act = 'release' AND h_status[hs] = 'released')
                         OR (v_act = 'expire' AND h_status[hs] = 'expired')) THEN
        -- an earlier attempt of this very item resolved it: report that outcome
        res_replay[i] := true; res_hst[i] := h_status[hs]; res_ev[i] := h_ev[hs];
        res_ch[i] := h_cap[hs]; res_rel[i] := h_rel[hs]; res_unc[i] := h_unc[hs]; res_av[i] := s_avail[sl];
      ELSE
        res_code[i] := 2; res_hst[i] := h_status[hs]; res_ev[i] := h_ev[hs];
      END IF;
      CONTINUE;
    END IF;
    IF v_act = 'expire' AND h_exp[hs] > p_now THEN res_code[i] := 3; res_hst[i] := 'open'; CONTINUE; END IF;
    IF v_act = 'capture' AND h_exp[hs] <= p_now THEN res_code[i] := 4; res_hst[i] := 'open'; CONTINUE; END IF;

    v_left := CASE WHEN v_act = 'capture' THEN least(r_amount[i], h_amount[hs]) ELSE 0 END;
    v_charged := 0; v_released := 0;
    v_ev := CASE WHEN v_act = 'capture' THEN coalesce(r_ev[i], gen_random_uuid()) END;
    FOR q IN h_e0[hs]..h_e1[hs] LOOP
      bj := e_bidx[q];
      v_take := least(e_amt[q], v_left);
      v_rel := e_amt[q] - v_take;
      v_left := v_left - v_take;
      IF v_take > 0 THEN
        nle := nle + 1;
        le_req[nle] := i; le_acct[nle] := s_acct[sl]; le_batch[nle] := b_id[bj]; le_kind[nle] := 'consume';
        le_rd[nle] := -v_take; le_hd[nle] := -v_take; le_ev[nle] := v_ev; le_hold[nle] := h_id[hs]; le_note[nle] := NULL;
        v_charged := v_charged + v_take;
      END IF;
      IF v_rel > 0 THEN
        nle := nle + 1;
        le_req[nle] := i; le_acct[nle] := s_acct[sl]; le_batch[nle] := b_id[bj]; le_kind[nle] := 'release';
        le_rd[nle] := 0; le_hd[nle] := -v_rel; le_ev[nle] := NULL; le_hold[nle] := h_id[hs]; le_note[nle] := NULL;
        v_released := v_released + v_rel;
        IF b_gone[bj] IS NOT NULL THEN
          -- What a release frees on an expired (or voided) batch expires (is voided) right away.
          nle := nle + 1;
          le_req[nle] := i; le_acct[nle] := s_acct[sl]; le_batch[nle] := b_id[bj]; le_kind[nle] := b_gone[bj];
          le_rd[nle] := -v_rel; le_hd[nle] := 0; le_ev[nle] := NULL; le_hold[nle] := h_id[hs]; le_note[nle] := 'released from hold';
        ELSE
          b_free[bj] := b_free[bj] + v_rel;
          IF b_spend[bj] THEN s_avail[sl] := s_avail[sl] + v_rel; END IF;
        END IF;
      END IF;
    END LOOP;

    IF v_act = 'capture' THEN
      v_excess := r_amount[i] - h_amount[hs];
      IF v_excess > 0 THEN
        FOR j IN s_b0[sl]..s_b1[sl] LOOP
          EXIT WHEN v_excess = 0 OR NOT b_spend[j];
          IF b_free[j] > 0 THEN
            v_take := least(v_excess, b_free[j]);
            nle := nle + 1;
            le_req[nle] := i; le_acct[nle] := s_acct[sl]; le_batch[nle] := b_id[j]; le_kind[nle] := 'consume';
            le_rd[nle] := -v_take; le_hd[nle] := 0; le_ev[nle] := v_ev; le_hold[nle] := h_id[hs]; le_note[nle] := NULL;
            b_free[j] := b_free[j] - v_take; s_avail[sl] := s_avail[sl] - v_take;
            v_charged := v_charged + v_take; v_excess := v_excess - v_take;
          END IF;
        END LOOP;
      END IF;
      v_meta := h_meta[hs];
      ue_n := ue_n + 1;
      ue_ev[ue_n] := v_ev; ue_org[ue_n] := h_org[hs]; ue_acct[ue_n] := s_acct[sl];
      ue_bot[ue_n] := (v_meta->>'bot_id')::uuid; ue_eu[ue_n] := (v_meta->>'end_user_id')::uuid;
      ue_actor[ue_n] := coalesce(v_meta->>'actor', 'operator'); ue_cat[ue_n] := coalesce(r_cat[i], v_meta->>'category');
      ue_qty[ue_n] := coalesce(r_qty[i], v_meta->'quantities', '{}'::jsonb); ue_cost[ue_n] := r_amount[i];
      ue_charged[ue_n] := v_charged; ue_pool[ue_n] := coalesce(v_meta->>'pool', 'owner');
      ue_occ[ue_n] := coalesce(r_occ[i], p_now); ue_hold[ue_n] := h_id[hs];
      ue_rcv[ue_n] := coalesce(r_rcv[i], (v_meta->>'rate_card_version')::int);
      ue_desc[ue_n] := coalesce(r_desc[i], v_meta->>'description');
      v_new := 'captured';
    ELSIF v_act = 'release' THEN
      v_new := 'released';
    ELSE
      v_new := 'expired';
    END IF;

    h_status[hs] := v_new; h_ev[hs] := v_ev;
    h_cap[hs] := CASE WHEN v_act = 'capture' THEN v_charged ELSE 0 END;
    h_rel[hs] := v_released;
    h_unc[hs] := CASE WHEN v_act = 'capture' THEN r_amount[i] - v_charged ELSE 0 END;
    hu_n := hu_n + 1;
    hu_id[hu_n] := h_id[hs]; hu_status[hu_n] := v_new; hu_cap[hu_n] := h_cap[hs]; hu_rel[hu_n] := h_rel[hs];
    hu_unc[hu_n] := h_unc[hs]; hu_ev[hu_n] := v_ev;

    res_hst[i] := v_new; res_ev[i] := v_ev; res_ch[i] := h_cap[hs]; res_rel[i] := v_released;
    res_unc[i] := h_unc[hs]; res_av[i] := s_avail[sl];
  END LOOP;

  IF ue_n > 0 THEN
    INSERT INTO usage_events (id, organization_id, account_id, bot_id, end_user_id, actor, category, quantities, cost,
                              charged, uncollected, pool, occurred_at, created_at, hold_id, rate_card_version, description)
    SELECT u.ev, u.org, u.acct, u.bot, u.eu, u.actor::usage_actor, u.cat::usage_category, u.qty, u.cost,
           u.charged, u.cost - u.charged, u.pool::usage_pool, u.occ, p_now, u.hold, u.rcv, u.descr
      FROM unnest(ue_ev, ue_org, ue_acct, ue_bot, ue_eu, ue_actor, ue_cat, ue_qty, ue_cost, ue_charged, ue_pool, ue_occ,
                  ue_hold, ue_rcv, ue_desc)
           AS u(ev, org, acct, bot, eu, actor, cat, qty, cost, charged, pool, occ, hold, rcv, descr);

    INSERT INTO usage_daily AS d (organization_id, day, bot_id, category, pool, actor, cost, charged, uncollected, events)
    SELECT u.org, (u.occ AT TIME ZONE 'UTC')::date, u.bot, u.cat::usage_category, u.pool::usage_pool, u.actor::usage_actor,
           sum(u.cost), sum(u.charged), sum(u.cost - u.charged), count(*)
      FROM unnest(ue_org, ue_bot, ue_cat, ue_pool, ue_actor, ue_occ, ue_cost, ue_charged)
           AS u(org, bot, cat, pool, actor, occ, cost, charged)
     GROUP BY 1, 2, 3, 4, 5, 6
     ORDER BY 1, 2, 3, 4, 5, 6 -- one lock order for rollup rows across concurrent flushes (no deadlocks)
    ON CONFLICT ON CONSTRAINT usage_daily_group_unique DO UPDATE
       SET cost = d.cost + excluded.cost, charged = d.charged + excluded.charged,
           uncollected = d.uncollected + excluded.uncollected, events = d.events + excluded.events;
  END IF;

  IF nle > 0 THEN
    INSERT INTO ledger_entries (account_id, batch_id, kind, remaining_delta, held_delta, usage_event_id, hold_id, created_at, note)
    SELECT e.acct, e.b, e.kind::ledger_entry_kind, e.rd, e.hd, e.ev, e.h, p_now, e.note
      FROM unnest(le_acct, le_batch, le_kind, le_rd, le_hd, le_ev, le_hold, le_note) WITH ORDINALITY
           AS e(acct, b, kind, rd, hd, ev, h, note, o)
     ORDER BY e.o;

    INSERT INTO usage_allocations (usage_event_id, batch_id, amount)
    SELECT e.ev, e.b, sum(-e.rd)
      FROM unnest(le_ev, le_batch, le_rd) AS e(ev, b, rd)
     WHERE e.ev IS NOT NULL
     GROUP BY e.ev, e.b;

    UPDATE batches b
       SET remaining = b.remaining + t.rd, held = b.held + t.hd
      FROM (SELECT e.b AS batch_id, sum(e.rd) AS rd, sum(e.hd) AS hd
              FROM unnest(le_batch, le_rd, le_hd) AS e(b, rd, hd) GROUP BY e.b) t
     WHERE b.id = t.batch_id;
  END IF;

  IF hu_n > 0 THEN
    UPDATE holds h
       SET status = u.st::hold_status, resolved_at = p_now, captured = u.cap, released = u.rel, uncollected = u.unc,
           usage_event_id = u.ev
      FROM unnest(hu_id, hu_status, hu_cap, hu_rel, hu_unc, hu_ev) AS u(id, st, cap, rel, unc, ev)
     WHERE h.id = u.id;
  END IF;

  RETURN QUERY
    SELECT g.o::int,
           CASE g.code WHEN 0 THEN 'ok' WHEN 1 THEN 'not_found' WHEN 2 THEN 'already_resolved' WHEN 3 THEN 'not_due'
                       ELSE 'expired' END,
           g.hst, CASE WHEN g.code = 0 THEN g.ev ELSE CASE WHEN g.code = 2 THEN g.ev END END,
           g.ch, g.rel, g.unc, g.av,
           CASE WHEN g.code <> 0 THEN NULL
                WHEN g.replay THEN
                  (SELECT coalesce(jsonb_agg(jsonb_build_object('batch_id', ua.batch_id, 'amount', ua.amount::text)), '[]'::jsonb)
                     FROM usage_allocations ua WHERE ua.usage_event_id = g.ev)
                ELSE coalesce(al.allocs, '[]'::jsonb) END
      FROM unnest(res_code, res_hst, res_ev, res_ch, res_rel, res_unc, res_av, res_replay) WITH ORDINALITY
           AS g(code, hst, ev, ch, rel, unc, av, replay, o)
      LEFT JOIN (SELECT c.q, jsonb_agg(jsonb_build_object('batch_id', c.b, 'amount', c.amt::text) ORDER BY c.first) AS allocs
                   FROM (SELECT e.q, e.b, sum(-e.rd) AS amt, min(e.o) AS first
                           FROM unnest(le_req, le_batch, le_rd, le_ev) WITH ORDINALITY AS e(q, b, rd, ev, o)
                          WHERE e.ev IS NOT NULL GROUP BY e.q, e.b) c
                  GROUP BY c.q) al ON al.q = g.o
     ORDER BY g.o;
END $$;
