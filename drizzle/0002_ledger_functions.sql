-- Hand-written ledger SQL: immutability trigger and the hot-path functions.
-- The consumption ORDER BY below MUST mirror lib/ledger/consumption-order.ts (CONSUMPTION_ORDER_SQL);
-- lib/ledger/consumption-order.test.ts checks that every function here contains it verbatim.
CREATE OR REPLACE FUNCTION ledger_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_entries are immutable (% refused); write a reversal entry instead', TG_OP
    USING ERRCODE = 'check_violation';
END $$;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_update_delete BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_immutable();
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_immutable();
--> statement-breakpoint
-- Debits and holds, many at once (one group-commit flush), applied in array (arrival) order.
-- p_items: jsonb array of {kind: 'debit'|'hold', account_id, amount (µc, string), bot_id, end_user_id,
--   actor, category, quantities, pool, occurred_at, rate_card_version, description, hold_expires_at, metadata}
-- Returns one row per item: status 'ok' | 'insufficient' | 'unknown_account'.
-- Each item either takes full effect or none; the accounts are locked once, in id order (no deadlocks).
-- Performance: arrays read by subscript inside the loop are fixed-width and NULL-free (O(1) access);
-- everything else is read with multi-argument unnest (linear), never by subscript.
CREATE OR REPLACE FUNCTION ledger_apply_debits(p_items jsonb, p_now timestamptz)
RETURNS TABLE (ord int, status text, usage_event_id uuid, hold_id uuid, available bigint, shortfall bigint, allocations jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  n int;
  r_hold bool[]; r_acct uuid[]; r_amount bigint[]; r_bot uuid[]; r_eu uuid[]; r_actor text[]; r_cat text[];
  r_qty jsonb[]; r_pool text[]; r_occ timestamptz[]; r_rcv int[]; r_desc text[]; r_hexp timestamptz[]; r_meta jsonb[];
  r_slot int[]; r_org uuid[];
  s_acct uuid[]; s_org uuid[]; s_ptr int[]; s_avail bigint[]; k int;
  b_id uuid[]; b_free bigint[]; b_slot int[]; m int;
  a_req int[] := '{}'; a_batch uuid[] := '{}'; a_amt bigint[] := '{}'; a_pos int[] := '{}';
  a_ev uuid[] := '{}'; a_hold uuid[] := '{}'; a_acct uuid[] := '{}'; na int := 0;
  res_code int[]; res_avail bigint[]; res_short bigint[]; ev_ids uuid[]; hold_ids uuid[];
  i int; j int; sl int; amt bigint; need bigint; take bigint; pos int; v_ev uuid; v_hold uuid; n_ok int := 0; v_valid bool;
BEGIN
  SELECT count(*)::int,
         array_agg(x.kind = 'hold' ORDER BY x.o), array_agg(x.account_id ORDER BY x.o), array_agg(x.amount ORDER BY x.o),
         array_agg(x.bot_id ORDER BY x.o), array_agg(x.end_user_id ORDER BY x.o), array_agg(x.actor ORDER BY x.o),
         array_agg(x.category ORDER BY x.o), array_agg(coalesce(x.quantities, '{}'::jsonb) ORDER BY x.o),
         array_agg(x.pool ORDER BY x.o), array_agg(coalesce(x.occurred_at, p_now) ORDER BY x.o),
         array_agg(x.rate_card_version ORDER BY x.o), array_agg(x.description ORDER BY x.o),
         array_agg(coalesce(x.hold_expires_at, p_now + interval '15 minutes') ORDER BY x.o),
         array_agg(coalesce(x.metadata, '{}'::jsonb) ORDER BY x.o),
         bool_and(x.amount IS NOT NULL AND x.amount > 0 AND x.kind IN ('debit', 'hold') AND x.account_id IS NOT NULL)
    INTO n, r_hold, r_acct, r_amount, r_bot, r_eu, r_actor, r_cat, r_qty, r_pool, r_occ, r_rcv, r_desc, r_hexp, r_meta, v_valid
    FROM ROWS FROM (jsonb_to_recordset(p_items) AS (kind text, account_id uuid, amount bigint, bot_id uuid,
      end_user_id uuid, actor text, category text, quantities jsonb, pool text, occurred_at timestamptz,
      rate_card_version int, description text, hold_expires_at timestamptz, metadata jsonb)) WITH ORDINALITY
      AS x(kind, account_id, amount, bot_id, end_user_id, actor, category, quantities, pool, occurred_at,
           rate_card_version, description, hold_expires_at, metadata, o);
  IF n = 0 THEN RETURN; END IF;
  IF v_valid IS NOT TRUE THEN
    RAISE EXCEPTION 'ledger_apply_debits: every item needs kind debit|hold, an account_id and a positive amount'
      USING ERRCODE = 'check_violation';
  END IF;

  -- Lock every account of the flush once, in id order.
  SELECT array_agg(a.id ORDER BY a.id), array_agg(a.organization_id ORDER BY a.id)
    INTO s_acct, s_org
    FROM (SELECT ac.id, ac.organization_id FROM accounts ac
           WHERE ac.id = ANY (r_acct) ORDER BY ac.id FOR NO KEY UPDATE) a;
  k := coalesce(array_length(s_acct, 1), 0);

  SELECT array_agg(coalesce(s.slot, 0)::int ORDER BY u.o)
    INTO r_slot
    FROM unnest(r_acct) WITH ORDINALITY u(acct, o)
    LEFT JOIN unnest(s_acct) WITH ORDINALITY s(acct, slot) ON s.acct = u.acct;

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

  res_code := array_fill(0, ARRAY[n]);
  res_avail := array_fill(0::bigint, ARRAY[n]);
  res_short := array_fill(0::bigint, ARRAY[n]);
  ev_ids := array_fill(NULL::uuid, ARRAY[n]);
  hold_ids := array_fill(NULL::uuid, ARRAY[n]);
  r_org := array_fill(NULL::uuid, ARRAY[n]);

  FOR i IN 1..n LOOP
    sl := r_slot[i];
    IF sl = 0 THEN res_code[i] := 2; CONTINUE; END IF;
    amt := r_amount[i];
    IF s_avail[sl] < amt THEN
      res_code[i] := 1; res_avail[i] := s_avail[sl]; res_short[i] := amt - s_avail[sl];
      CONTINUE;
    END IF;
    v_ev := NULL; v_hold := NULL;
    IF r_hold[i] THEN v_hold := gen_random_uuid(); hold_ids[i] := v_hold;
    ELSE v_ev := gen_random_uuid(); ev_ids[i] := v_ev; END IF;
    r_org[i] := s_org[sl];
    n_ok := n_ok + 1;
    need := amt; j := s_ptr[sl]; pos := 0;
    WHILE need > 0 LOOP
      take := least(need, b_free[j]);
      IF take > 0 THEN
        na := na + 1; pos := pos + 1;
        a_req[na] := i; a_batch[na] := b_id[j]; a_amt[na] := take; a_pos[na] := pos;
        a_ev[na] := v_ev; a_hold[na] := v_hold; a_acct[na] := s_acct[sl];
        b_free[j] := b_free[j] - take; need := need - take;
      END IF;
      IF b_free[j] = 0 THEN j := j + 1; END IF;
    END LOOP;
    s_ptr[sl] := j;
    s_avail[sl] := s_avail[sl] - amt;
    res_avail[i] := s_avail[sl];
  END LOOP;

  IF n_ok > 0 THEN
    INSERT INTO usage_events (id, organization_id, account_id, bot_id, end_user_id, actor, category, quantities,
                              cost, charged, uncollected, pool, occurred_at, created_at, rate_card_version, description)
    SELECT u.ev, u.org, u.acct, u.bot, u.eu, u.actor::usage_actor, u.cat::usage_category, u.qty,
           u.amt, u.amt, 0, u.pool::usage_pool, u.occ, p_now, u.rcv, u.descr
      FROM unnest(ev_ids, r_org, r_acct, r_bot, r_eu, r_actor, r_cat, r_qty, r_amount, r_pool, r_occ, r_rcv, r_desc)
           AS u(ev, org, acct, bot, eu, actor, cat, qty, amt, pool, occ, rcv, descr)
     WHERE u.ev IS NOT NULL;

    INSERT INTO holds (id, account_id, organization_id, amount, status, expires_at, created_at, metadata)
    SELECT u.h, u.acct, u.org, u.amt, 'open', u.hexp, p_now,
           u.meta || jsonb_strip_nulls(jsonb_build_object('bot_id', u.bot, 'end_user_id', u.eu, 'actor', u.actor,
             'category', u.cat, 'pool', u.pool, 'quantities', u.qty, 'rate_card_version', u.rcv, 'description', u.descr))
      FROM unnest(hold_ids, r_org, r_acct, r_amount, r_hexp, r_meta, r_bot, r_eu, r_actor, r_cat, r_pool, r_qty, r_rcv, r_desc)
           AS u(h, org, acct, amt, hexp, meta, bot, eu, actor, cat, pool, qty, rcv, descr)
     WHERE u.h IS NOT NULL;

    INSERT INTO usage_allocations (usage_event_id, batch_id, amount)
    SELECT a.ev, a.b, a.amt FROM unnest(a_ev, a_batch, a_amt) AS a(ev, b, amt) WHERE a.ev IS NOT NULL;

    INSERT INTO hold_earmarks (hold_id, batch_id, position, amount)
    SELECT a.h, a.b, a.pos, a.amt FROM unnest(a_hold, a_batch, a_amt, a_pos) AS a(h, b, amt, pos) WHERE a.h IS NOT NULL;

    INSERT INTO ledger_entries (account_id, batch_id, kind, remaining_delta, held_delta, usage_event_id, hold_id, created_at)
    SELECT a.acct, a.b,
           CASE WHEN a.ev IS NOT NULL THEN 'consume'::ledger_entry_kind ELSE 'hold'::ledger_entry_kind END,
           CASE WHEN a.ev IS NOT NULL THEN -a.amt ELSE 0 END,
           CASE WHEN a.ev IS NOT NULL THEN 0 ELSE a.amt END,
           a.ev, a.h, p_now
      FROM unnest(a_acct, a_batch, a_amt, a_ev, a_hold) WITH ORDINALITY AS a(acct, b, amt, ev, h, o) ORDER BY a.o;

    UPDATE batches b
       SET remaining = b.remaining - t.consumed, held = b.held + t.earmarked
      FROM (SELECT a.b AS batch_id,
                   sum(CASE WHEN a.ev IS NOT NULL THEN a.amt ELSE 0 END) AS consumed,
                   sum(CASE WHEN a.ev IS NOT NULL THEN 0 ELSE a.amt END) AS earmarked
              FROM unnest(a_batch, a_amt, a_ev) AS a(b, amt, ev) GROUP BY a.b) t
     WHERE b.id = t.batch_id;

    INSERT INTO usage_daily AS d (organization_id, day, bot_id, category, pool, actor, cost, charged, uncollected, events)
    SELECT u.org, (u.occ AT TIME ZONE 'UTC')::date, u.bot, u.cat::usage_category, u.pool::usage_pool, u.actor::usage_actor,
           sum(u.amt), sum(u.amt), 0, count(*)
      FROM unnest(ev_ids, r_org, r_bot, r_cat, r_pool, r_actor, r_occ, r_amount)
           AS u(ev, org, bot, cat, pool, actor, occ, amt)
     WHERE u.ev IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ON CONSTRAINT usage_daily_group_unique DO UPDATE
       SET cost = d.cost + excluded.cost, charged = d.charged + excluded.charged,
           uncollected = d.uncollected + excluded.uncollected, events = d.events + excluded.events;
  END IF;

  RETURN QUERY
    SELECT g.o::int,
           CASE g.code WHEN 0 THEN 'ok' WHEN 1 THEN 'insufficient' ELSE 'unknown_account' END,
           g.ev, g.h,
           CASE WHEN g.code = 2 THEN NULL ELSE g.av END,
           CASE WHEN g.code = 1 THEN g.sh ELSE NULL END,
           coalesce(al.allocs, '[]'::jsonb)
      FROM unnest(res_code, ev_ids, hold_ids, res_avail, res_short) WITH ORDINALITY AS g(code, ev, h, av, sh, o)
      LEFT JOIN (SELECT a.q, jsonb_agg(jsonb_build_object('batch_id', a.b, 'amount', a.amt::text) ORDER BY a.o) AS allocs
                   FROM unnest(a_req, a_batch, a_amt) WITH ORDINALITY AS a(q, b, amt, o) GROUP BY a.q) al ON al.q = g.o
     ORDER BY g.o;
END $$;
--> statement-breakpoint
-- Captures, releases and expiries of holds, many at once, in array order.
-- p_items: jsonb array of {hold_id, action: 'capture'|'release'|'expire', amount (µc string, capture only),
--   category, quantities, occurred_at, rate_card_version, description (override the hold's metadata)}.
-- status: 'ok' | 'not_found' | 'already_resolved' | 'expired' (capture/release of an expired hold).
CREATE OR REPLACE FUNCTION ledger_resolve_holds(p_items jsonb, p_now timestamptz)
RETURNS TABLE (ord int, status text, hold_status text, usage_event_id uuid, charged bigint, released bigint,
               uncollected bigint, available bigint, allocations jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  it record; h record; e record; b record;
  v_take bigint; v_left bigint; v_rel bigint; v_charged bigint; v_released bigint; v_excess bigint; v_ev uuid;
  v_meta jsonb; v_new_status hold_status; v_avail bigint; v_allocs jsonb; v_alloc_map jsonb;
BEGIN
  -- Lock the accounts of every hold of the flush once, in id order.
  PERFORM 1 FROM accounts ac
   WHERE ac.id IN (SELECT ho.account_id FROM holds ho
                    WHERE ho.id IN (SELECT (x->>'hold_id')::uuid FROM jsonb_array_elements(p_items) x))
   ORDER BY ac.id FOR NO KEY UPDATE;

  FOR it IN SELECT x.*, x.o::int AS oi
               FROM ROWS FROM (jsonb_to_recordset(p_items) AS (hold_id uuid, action text, amount bigint, category text,
                      quantities jsonb, occurred_at timestamptz, rate_card_version int, description text)) WITH ORDINALITY
                    AS x(hold_id, action, amount, category, quantities, occurred_at, rate_card_version, description, o)
              ORDER BY x.o LOOP
    IF it.action NOT IN ('capture', 'release', 'expire') THEN
      RAISE EXCEPTION 'ledger_resolve_holds: unknown action %', it.action USING ERRCODE = 'check_violation';
    END IF;
    IF it.action = 'capture' AND (it.amount IS NULL OR it.amount <= 0) THEN
      RAISE EXCEPTION 'ledger_resolve_holds: capture amount must be positive' USING ERRCODE = 'check_violation';
    END IF;
    SELECT * INTO h FROM holds WHERE id = it.hold_id FOR UPDATE;
    IF NOT FOUND THEN
      ord := it.oi; status := 'not_found'; hold_status := NULL; usage_event_id := NULL; charged := NULL;
      released := NULL; uncollected := NULL; available := NULL; allocations := NULL;
      RETURN NEXT; CONTINUE;
    END IF;
    IF h.status <> 'open' THEN
      ord := it.oi; status := 'already_resolved'; hold_status := h.status::text; usage_event_id := h.usage_event_id;
      charged := NULL; released := NULL; uncollected := NULL; available := NULL; allocations := NULL;
      RETURN NEXT; CONTINUE;
    END IF;
    IF it.action = 'expire' AND h.expires_at > p_now THEN
      -- not due (yet): leave it alone
      ord := it.oi; status := 'not_due'; hold_status := h.status::text; usage_event_id := NULL; charged := NULL;
      released := NULL; uncollected := NULL; available := NULL; allocations := NULL;
      RETURN NEXT; CONTINUE;
    END IF;
    IF it.action = 'capture' AND h.expires_at <= p_now THEN
      ord := it.oi; status := 'expired'; hold_status := h.status::text; usage_event_id := NULL; charged := NULL;
      released := NULL; uncollected := NULL; available := NULL; allocations := NULL;
      RETURN NEXT; CONTINUE;
    END IF;

    v_left := CASE WHEN it.action = 'capture' THEN least(it.amount, h.amount) ELSE 0 END;
    v_charged := 0; v_released := 0; v_alloc_map := '{}'::jsonb; v_ev := NULL;
    IF it.action = 'capture' THEN v_ev := gen_random_uuid(); END IF;

    FOR e IN SELECT he.batch_id, he.amount FROM hold_earmarks he WHERE he.hold_id = h.id ORDER BY he.position LOOP
      v_take := least(e.amount, v_left);
      v_rel := e.amount - v_take;
      v_left := v_left - v_take;
      UPDATE batches SET remaining = remaining - v_take, held = held - e.amount
       WHERE id = e.batch_id RETURNING expires_at, voided_at, account_id INTO b;
      IF v_take > 0 THEN
        INSERT INTO ledger_entries (account_id, batch_id, kind, remaining_delta, held_delta, usage_event_id, hold_id, created_at)
        VALUES (h.account_id, e.batch_id, 'consume', -v_take, -v_take, v_ev, h.id, p_now);
        v_charged := v_charged + v_take;
        v_alloc_map := v_alloc_map || jsonb_build_object(e.batch_id::text, v_take);
      END IF;
      IF v_rel > 0 THEN
        INSERT INTO ledger_entries (account_id, batch_id, kind, remaining_delta, held_delta, hold_id, created_at)
        VALUES (h.account_id, e.batch_id, 'release', 0, -v_rel, h.id, p_now);
        v_released := v_released + v_rel;
        -- What a release frees on an expired (or voided) batch expires (is voided) right away.
        IF b.voided_at IS NOT NULL OR (b.expires_at IS NOT NULL AND b.expires_at <= p_now) THEN
          UPDATE batches SET remaining = remaining - v_rel WHERE id = e.batch_id;
          INSERT INTO ledger_entries (account_id, batch_id, kind, remaining_delta, hold_id, created_at, note)
          VALUES (h.account_id, e.batch_id,
                  CASE WHEN b.voided_at IS NOT NULL THEN 'void'::ledger_entry_kind ELSE 'expire'::ledger_entry_kind END,
                  -v_rel, h.id, p_now, 'released from hold');
        END IF;
      END IF;
    END LOOP;

    IF it.action = 'capture' THEN
      v_excess := it.amount - h.amount;
      IF v_excess > 0 THEN
        FOR b IN SELECT bb.id, bb.remaining - bb.held AS free FROM batches bb
                  WHERE bb.account_id = h.account_id
                    AND bb.remaining > bb.held AND bb.voided_at IS NULL AND bb.added_at <= p_now
                    AND (bb.expires_at IS NULL OR bb.expires_at > p_now)
                  ORDER BY bb.priority ASC NULLS LAST, (bb.type = 'paid') ASC, bb.expires_at ASC NULLS LAST, bb.added_at ASC, bb.seq ASC
        LOOP
          EXIT WHEN v_excess = 0;
          v_take := least(v_excess, b.free);
          UPDATE batches SET remaining = remaining - v_take WHERE id = b.id;
          INSERT INTO ledger_entries (account_id, batch_id, kind, remaining_delta, usage_event_id, hold_id, created_at)
          VALUES (h.account_id, b.id, 'consume', -v_take, v_ev, h.id, p_now);
          v_charged := v_charged + v_take;
          v_excess := v_excess - v_take;
          v_alloc_map := v_alloc_map || jsonb_build_object(b.id::text,
                           coalesce((v_alloc_map->>(b.id::text))::bigint, 0) + v_take);
        END LOOP;
      END IF;
      v_meta := h.metadata;
      INSERT INTO usage_events (id, organization_id, account_id, bot_id, end_user_id, actor, category, quantities, cost,
                                charged, uncollected, pool, occurred_at, created_at, hold_id, rate_card_version, description)
      VALUES (v_ev, h.organization_id, h.account_id, (v_meta->>'bot_id')::uuid, (v_meta->>'end_user_id')::uuid,
              coalesce(v_meta->>'actor', 'operator')::usage_actor,
              coalesce(it.category, v_meta->>'category')::usage_category,
              coalesce(it.quantities, v_meta->'quantities', '{}'::jsonb),
              it.amount, v_charged, it.amount - v_charged, coalesce(v_meta->>'pool', 'owner')::usage_pool,
              coalesce(it.occurred_at, p_now), p_now, h.id,
              coalesce(it.rate_card_version, (v_meta->>'rate_card_version')::int),
              coalesce(it.description, v_meta->>'description'));
      INSERT INTO usage_allocations (usage_event_id, batch_id, amount)
      SELECT v_ev, kv.key::uuid, kv.value::text::bigint FROM jsonb_each(v_alloc_map) kv;
      INSERT INTO usage_daily AS d (organization_id, day, bot_id, category, pool, actor, cost, charged, uncollected, events)
      SELECT ue.organization_id, (ue.occurred_at AT TIME ZONE 'UTC')::date, ue.bot_id, ue.category, ue.pool, ue.actor,
             ue.cost, ue.charged, ue.uncollected, 1
        FROM usage_events ue WHERE ue.id = v_ev
      ON CONFLICT ON CONSTRAINT usage_daily_group_unique DO UPDATE
         SET cost = d.cost + excluded.cost, charged = d.charged + excluded.charged,
             uncollected = d.uncollected + excluded.uncollected, events = d.events + excluded.events;
      v_new_status := 'captured';
    ELSIF it.action = 'release' THEN
      v_new_status := 'released';
    ELSE
      v_new_status := 'expired';
    END IF;

    UPDATE holds SET status = v_new_status, resolved_at = p_now,
                     captured = CASE WHEN it.action = 'capture' THEN v_charged ELSE 0 END,
                     released = v_released,
                     uncollected = CASE WHEN it.action = 'capture' THEN it.amount - v_charged ELSE 0 END,
                     usage_event_id = v_ev
     WHERE id = h.id;

    SELECT coalesce(sum(bb.remaining - bb.held), 0) INTO v_avail FROM batches bb
     WHERE bb.account_id = h.account_id AND bb.remaining > bb.held AND bb.voided_at IS NULL AND bb.added_at <= p_now
       AND (bb.expires_at IS NULL OR bb.expires_at > p_now);

    SELECT coalesce(jsonb_agg(jsonb_build_object('batch_id', kv.key, 'amount', kv.value::text)), '[]'::jsonb)
      INTO v_allocs FROM jsonb_each(v_alloc_map) kv;

    ord := it.oi; status := 'ok'; hold_status := v_new_status::text; usage_event_id := v_ev;
    charged := CASE WHEN it.action = 'capture' THEN v_charged ELSE 0 END; released := v_released;
    uncollected := CASE WHEN it.action = 'capture' THEN it.amount - v_charged ELSE 0 END;
    available := v_avail; allocations := v_allocs;
    RETURN NEXT;
  END LOOP;
END $$;
--> statement-breakpoint
-- Hot rows (a busy account's batches, today's rollup rows) are updated once per flush: leave room on
-- each page so those updates stay HOT (no index churn, in-page pruning).
ALTER TABLE batches SET (fillfactor = 70);
--> statement-breakpoint
ALTER TABLE usage_daily SET (fillfactor = 70);
--> statement-breakpoint
ALTER TABLE holds SET (fillfactor = 80);
