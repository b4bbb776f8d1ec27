-- ledger_resolve_holds as in 0010, but a batch the expiry job has already processed (expired_at set)
-- counts as expired whatever p_now says. p_now is taken when the flush starts; a flush that then waits
-- on another account's lock can run after the job expired the batch's unheld part and marked it done.
-- What such a flush released went back to the batch as spendable and was never expired (the job does
-- not come back to a processed batch): ledger:verify's 1.batch_expired_consistently failed for good.
-- Now a release on a processed batch expires at once, like one on any expired batch, and a processed
-- batch is never spent from.
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
           WHERE ho.id = ANY (r_hold) ORDER BY ho.id FOR UPDATE) z0
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
                 (bb.voided_at IS NULL AND bb.expired_at IS NULL AND bb.added_at <= p_now AND (bb.expires_at IS NULL OR bb.expires_at > p_now)) AS spend,
                 CASE WHEN bb.voided_at IS NOT NULL THEN 'void'
                      WHEN bb.expired_at IS NOT NULL OR (bb.expires_at IS NOT NULL AND bb.expires_at <= p_now) THEN 'expire' END AS gone,
                 row_number() OVER (ORDER BY s.slot,
                   (bb.voided_at IS NULL AND bb.expired_at IS NULL AND bb.added_at <= p_now AND (bb.expires_at IS NULL OR bb.expires_at > p_now)) DESC,
                   bb.priority ASC NULLS LAST, (bb.type = 'paid') ASC, bb.expires_at ASC NULLS LAST, bb.added_at ASC, bb.seq ASC) AS rn
            FROM batches bb
            JOIN unnest(s_acct) WITH ORDINALITY s(acct, slot) ON bb.account_id = s.acct
           WHERE (bb.remaining > 0 AND bb.voided_at IS NULL AND bb.expired_at IS NULL AND bb.added_at <= p_now
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
     WHERE h.id = u.id AND h.id = ANY (hu_id);
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

--> statement-breakpoint
-- CREATE OR REPLACE reset the function's settings (see 0010): set them again.
ALTER FUNCTION ledger_resolve_holds(jsonb, timestamptz) SET plan_cache_mode = force_generic_plan;
--> statement-breakpoint
ALTER FUNCTION ledger_resolve_holds(jsonb, timestamptz) SET enable_seqscan = off;
