-- ledger_apply_debits as in 0008, but for when the usage events and holds of a flush are written: before
-- the account lock instead of after it (not for a retry, which must first see under the lock what an
-- earlier attempt applied). A hot account's flushes run one after another under its lock; with two of its
-- flushes in flight (lib/ledger/flush-queue.ts), the second now writes its events while the first holds
-- the lock. Items refused under the lock (insufficient credits) have their rows deleted again before
-- commit. An account that only appears under the lock (created meanwhile) gets its rows written there.
-- The consumption ORDER BY below MUST mirror lib/ledger/consumption-order.ts (CONSUMPTION_ORDER_SQL).
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
  r_pre bool[]; p_acct uuid[]; p_org uuid[]; pk int; n_late_ev int := 0; n_late_hold int := 0; n_pre_ev int := 0; n_pre_hold int := 0;
  x_ev uuid[] := '{}'; x_hold uuid[] := '{}';
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

  -- Before the account lock: the usage events and holds of the flush (all but a retry's). One account's
  -- flushes run one after another under its lock, so whatever can be written before it shortens the part
  -- that is serialized; a second flush of the account writes these while the first holds the lock. The
  -- rows of items refused below are deleted again before commit: no one else ever sees them.
  r_pre := array_fill(false, ARRAY[n]);
  r_org := array_fill(NULL::uuid, ARRAY[n]);
  IF NOT v_retry THEN
    SELECT array_agg(ac.id), array_agg(ac.organization_id) INTO p_acct, p_org FROM accounts ac WHERE ac.id = ANY (s_ids);
    FOR i IN 1..n LOOP
      pk := coalesce(array_position(p_acct, r_acct[i]), 0);
      IF pk > 0 THEN
        r_pre[i] := true; r_org[i] := p_org[pk];
        IF r_hold[i] THEN n_pre_hold := n_pre_hold + 1; ELSE n_pre_ev := n_pre_ev + 1; END IF;
      END IF;
    END LOOP;
  END IF;
  IF n_pre_ev > 0 THEN
    INSERT INTO usage_events (id, organization_id, account_id, bot_id, end_user_id, actor, category, quantities,
                              cost, charged, uncollected, pool, occurred_at, created_at, rate_card_version, description)
    SELECT u.ev, u.org, u.acct, u.bot, u.eu, u.actor::usage_actor, u.cat::usage_category, u.qty,
           u.amt, u.amt, 0, u.pool::usage_pool, u.occ, p_now, u.rcv, u.descr
      FROM unnest(r_id, r_pre, r_hold, r_org, r_acct, r_bot, r_eu, r_actor, r_cat, r_qty, r_amount, r_pool, r_occ, r_rcv, r_desc)
           AS u(ev, pre, is_hold, org, acct, bot, eu, actor, cat, qty, amt, pool, occ, rcv, descr)
     WHERE u.pre AND NOT u.is_hold;
  END IF;
  IF n_pre_hold > 0 THEN
    INSERT INTO holds (id, account_id, organization_id, amount, status, expires_at, created_at, metadata)
    SELECT u.h, u.acct, u.org, u.amt, 'open', u.hexp, p_now,
           u.meta || jsonb_strip_nulls(jsonb_build_object('bot_id', u.bot, 'end_user_id', u.eu, 'actor', u.actor,
             'category', u.cat, 'pool', u.pool, 'quantities', u.qty, 'rate_card_version', u.rcv, 'description', u.descr))
      FROM unnest(r_id, r_pre, r_hold, r_org, r_acct, r_amount, r_hexp, r_meta, r_bot, r_eu, r_actor, r_cat, r_pool, r_qty, r_rcv, r_desc)
           AS u(h, pre, is_hold, org, acct, amt, hexp, meta, bot, eu, actor, cat, pool, qty, rcv, descr)
     WHERE u.pre AND u.is_hold;
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

  FOR i IN 1..n LOOP
    sl := coalesce(array_position(s_acct, r_acct[i]), 0);
    IF sl = 0 THEN
      res_code[i] := 2;
      IF r_pre[i] THEN IF r_hold[i] THEN x_hold := x_hold || r_id[i]; ELSE x_ev := x_ev || r_id[i]; END IF; END IF;
      CONTINUE;
    END IF;
    IF v_retry AND r_id[i] = ANY (d_ids) THEN
      -- already applied by an earlier attempt: report it, apply nothing
      res_code[i] := 3; res_avail[i] := s_avail[sl];
      IF r_hold[i] THEN out_hold[i] := r_id[i]; ELSE out_ev[i] := r_id[i]; END IF;
      CONTINUE;
    END IF;
    amt := r_amount[i];
    IF s_avail[sl] < amt THEN
      res_code[i] := 1; res_avail[i] := s_avail[sl]; res_short[i] := amt - s_avail[sl];
      IF r_pre[i] THEN IF r_hold[i] THEN x_hold := x_hold || r_id[i]; ELSE x_ev := x_ev || r_id[i]; END IF; END IF;
      CONTINUE;
    END IF;
    v_ev := NULL; v_hold := NULL;
    IF r_hold[i] THEN v_hold := r_id[i]; hold_ids[i] := v_hold; out_hold[i] := v_hold; n_hold := n_hold + 1;
    ELSE v_ev := r_id[i]; ev_ids[i] := v_ev; out_ev[i] := v_ev; n_ev := n_ev + 1; END IF;
    IF NOT r_pre[i] THEN IF r_hold[i] THEN n_late_hold := n_late_hold + 1; ELSE n_late_ev := n_late_ev + 1; END IF; END IF;
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

  IF x_ev <> '{}' THEN DELETE FROM usage_events WHERE id = ANY (x_ev); END IF;
  IF x_hold <> '{}' THEN DELETE FROM holds WHERE id = ANY (x_hold); END IF;

  IF n_ev > 0 THEN
    -- the usage events not written before the lock (a retry's, or an account first seen under the lock)
    IF n_late_ev > 0 THEN
      INSERT INTO usage_events (id, organization_id, account_id, bot_id, end_user_id, actor, category, quantities,
                                cost, charged, uncollected, pool, occurred_at, created_at, rate_card_version, description)
      SELECT u.ev, u.org, u.acct, u.bot, u.eu, u.actor::usage_actor, u.cat::usage_category, u.qty,
             u.amt, u.amt, 0, u.pool::usage_pool, u.occ, p_now, u.rcv, u.descr
        FROM unnest(ev_ids, r_pre, r_org, r_acct, r_bot, r_eu, r_actor, r_cat, r_qty, r_amount, r_pool, r_occ, r_rcv, r_desc)
             AS u(ev, pre, org, acct, bot, eu, actor, cat, qty, amt, pool, occ, rcv, descr)
       WHERE u.ev IS NOT NULL AND NOT u.pre;
    END IF;
    -- the debits' allocations and the daily rollup: one statement
    WITH al AS (
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
    IF n_late_hold > 0 THEN
      INSERT INTO holds (id, account_id, organization_id, amount, status, expires_at, created_at, metadata)
      SELECT u.h, u.acct, u.org, u.amt, 'open', u.hexp, p_now,
             u.meta || jsonb_strip_nulls(jsonb_build_object('bot_id', u.bot, 'end_user_id', u.eu, 'actor', u.actor,
               'category', u.cat, 'pool', u.pool, 'quantities', u.qty, 'rate_card_version', u.rcv, 'description', u.descr))
        FROM unnest(hold_ids, r_pre, r_org, r_acct, r_amount, r_hexp, r_meta, r_bot, r_eu, r_actor, r_cat, r_pool, r_qty, r_rcv, r_desc)
             AS u(h, pre, org, acct, amt, hexp, meta, bot, eu, actor, cat, pool, qty, rcv, descr)
       WHERE u.h IS NOT NULL AND NOT u.pre;
    END IF;
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
-- CREATE OR REPLACE reset the function's settings (see 0010): set them again.
ALTER FUNCTION ledger_apply_debits(jsonb, timestamptz) SET plan_cache_mode = force_generic_plan;
--> statement-breakpoint
ALTER FUNCTION ledger_apply_debits(jsonb, timestamptz) SET enable_seqscan = off;
