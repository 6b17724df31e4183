-- timebank_post: the ledger engine's write as one statement on PostgreSQL (one round trip, its
-- own transaction). The one source of the function as it is now: migration 0011 installs this
-- file; a change to it is a new migration that runs timebank.sql.install_post (CREATE OR REPLACE;
-- a new signature drops the old one first), and timebank/tests/test_post_function.py checks that
-- the database holds exactly this text. The Python engine (timebank.services.engine._attempt)
-- does the same on SQLite; timebank.services.in_database calls this one.
--
-- It locks the accounts in ascending id order, replays or refuses a used idempotency key,
-- refuses with "timebank:<code>" (detail: the parameters as JSON) what the Python engine
-- refuses, checks the facts the caller remembered ("timebank:stale"), and writes the
-- transaction, its postings (each a link in its account's hash chain), the balances and chain
-- tips and the audit event in one statement of data-modifying CTEs.
CREATE OR REPLACE FUNCTION timebank_post(
  p_key text, p_fingerprint text, p_kind text, p_district bigint, p_place bigint,
  p_memo text, p_reverses bigint, p_actor bigint, p_at timestamptz, p_tx_hash text,
  p_accounts bigint[], p_amounts bigint[], p_earns boolean,
  p_cap_account bigint, p_cap_code text, p_cap_default bigint,
  p_daily_code text, p_daily_default bigint, p_day_start timestamptz,
  p_audit_action text, p_actor_name text, p_repr_prefix text, p_formatted text[],
  p_client_ip inet, p_place_path text, p_expect_kinds text[], p_expect_places bigint[]
) RETURNS TABLE (tx_id bigint, replayed boolean) AS $$
DECLARE
  n int := cardinality(p_accounts);
  ids bigint[]; kinds text[]; names text[]; districts bigint[]; places bigint[]; closed boolean[];
  balances bigint[]; earned bigint[]; seqs bigint[]; tips text[];
  amounts bigint[]; new_balances bigint[]; new_earned bigint[]; new_seqs bigint[];
  links text[]; path text;
  old_id bigint; old_fingerprint text;
  i int; j int; cap bigint; today bigint; new_tx bigint;
BEGIN
  -- Row locks in one fixed order (ascending id), as the Python engine takes them.
  SELECT array_agg(s.id ORDER BY s.id), array_agg(s.kind ORDER BY s.id),
         array_agg(s.name ORDER BY s.id), array_agg(s.district_id ORDER BY s.id),
         array_agg(s.place_id ORDER BY s.id),
         array_agg(s.is_closed ORDER BY s.id), array_agg(s.balance ORDER BY s.id),
         array_agg(s.earned ORDER BY s.id), array_agg(s.chain_seq ORDER BY s.id),
         array_agg(s.chain_hash ORDER BY s.id),
         (SELECT c.path FROM core_place c WHERE c.id = p_place)
    INTO ids, kinds, names, districts, places, closed, balances, earned, seqs, tips, path
    FROM (SELECT a.id, a.kind, a.name, a.district_id, a.place_id, a.is_closed, a.balance, a.earned,
                 a.chain_seq, a.chain_hash
            FROM timebank_account a WHERE a.id = ANY (p_accounts) ORDER BY a.id FOR UPDATE) s;
  IF COALESCE(cardinality(ids), 0) <> n THEN
    PERFORM timebank_refuse('account_missing');
  END IF;
  -- The caller decided from facts it remembered (each account's kind and community, the
  -- community's path for the permission): if any has changed since, it must decide again.
  IF p_expect_kinds IS NOT NULL THEN
    FOR i IN 1..n LOOP
      j := array_position(ids, p_accounts[i]);
      IF kinds[j] <> p_expect_kinds[i] OR places[j] <> p_expect_places[i] THEN
        PERFORM timebank_refuse('stale');
      END IF;
    END LOOP;
    IF path IS DISTINCT FROM p_place_path THEN
      PERFORM timebank_refuse('stale');
    END IF;
  END IF;
  -- A retry of the same payload waited on these same row locks: it now sees the original.
  SELECT t.id, t.fingerprint INTO old_id, old_fingerprint
    FROM timebank_transaction t WHERE t.idempotency_key = p_key;
  IF old_id IS NOT NULL THEN
    IF old_fingerprint <> p_fingerprint THEN
      PERFORM timebank_refuse('idempotency_conflict');
    END IF;
    RETURN QUERY SELECT old_id, true;
    RETURN;
  END IF;
  IF p_reverses IS NOT NULL
     AND EXISTS (SELECT 1 FROM timebank_transaction t WHERE t.reverses_id = p_reverses) THEN
    PERFORM timebank_refuse('already_reversed');
  END IF;
  FOR j IN 1..n LOOP
    IF districts[j] <> p_district THEN
      PERFORM timebank_refuse('other_district');
    END IF;
    IF closed[j] THEN
      PERFORM timebank_refuse('account_closed', jsonb_build_object('a', names[j]));
    END IF;
  END LOOP;
  amounts := array_fill(0::bigint, ARRAY[n]);
  FOR i IN 1..n LOOP  -- in the caller's order of legs, as the Python engine checks them
    j := array_position(ids, p_accounts[i]);
    amounts[j] := p_amounts[i];
    IF kinds[j] <> 'issuance' AND balances[j] + p_amounts[i] < 0 THEN
      PERFORM timebank_refuse('insufficient_balance', jsonb_build_object(
        'a', names[j], 'have', balances[j], 'need', -p_amounts[i]));
    END IF;
  END LOOP;
  IF p_cap_account IS NOT NULL THEN
    j := array_position(ids, p_cap_account);
    IF kinds[j] = 'member' THEN
      SELECT COALESCE(
          (SELECT r.value FROM timebank_rule r
            WHERE r.code = p_cap_code AND (r.district_id = p_district OR r.district_id IS NULL)
            ORDER BY r.district_id IS NULL LIMIT 1),
          p_cap_default) INTO cap;
      IF balances[j] + amounts[j] > cap THEN
        PERFORM timebank_refuse('over_storage_cap', jsonb_build_object(
          'cap', cap, 'have', balances[j], 'add', amounts[j]));
      END IF;
      IF p_daily_code IS NOT NULL THEN
        SELECT COALESCE(
            (SELECT r.value FROM timebank_rule r
              WHERE r.code = p_daily_code AND (r.district_id = p_district OR r.district_id IS NULL)
              ORDER BY r.district_id IS NULL LIMIT 1),
            p_daily_default) INTO cap;
        SELECT COALESCE(SUM(p.amount), 0) INTO today
          FROM timebank_posting p JOIN timebank_transaction t ON t.id = p.transaction_id
         WHERE p.account_id = p_cap_account AND p.created_at >= p_day_start
           AND t.kind = 'deposit'
           AND NOT EXISTS (SELECT 1 FROM timebank_transaction r WHERE r.reverses_id = t.id);
        IF today + amounts[j] > cap THEN
          PERFORM timebank_refuse('over_daily_cap', jsonb_build_object('cap', cap, 'today', today));
        END IF;
      END IF;
    END IF;
  END IF;
  -- Each posting extends its account's chain: sha256 of the same text as posting_hash().
  new_balances := balances; new_earned := earned; new_seqs := seqs; links := tips;
  FOR j IN 1..n LOOP
    new_balances[j] := balances[j] + amounts[j];
    new_seqs[j] := seqs[j] + 1;
    IF p_earns AND kinds[j] <> 'issuance' THEN
      new_earned[j] := GREATEST(0, earned[j] + amounts[j]);
    END IF;
    links[j] := encode(sha256(convert_to(
      tips[j] || '|' || ids[j] || '|' || new_seqs[j] || '|' || amounts[j] || '|'
      || new_balances[j] || '|' || p_tx_hash, 'UTF8')), 'hex');
  END LOOP;
  -- One statement writes it all (data-modifying CTEs run once each; the foreign keys and the
  -- balance triggers are checked at commit): one executor start instead of four.
  WITH t AS (
    INSERT INTO timebank_transaction
      (district_id, place_id, kind, idempotency_key, fingerprint, memo, reverses_id, actor_id,
       created_at, hash)
    VALUES (p_district, p_place, p_kind, p_key, p_fingerprint, p_memo, p_reverses, p_actor, p_at,
            p_tx_hash)
    RETURNING id
  ), p AS (
    INSERT INTO timebank_posting
      (transaction_id, account_id, district_id, amount, balance_after, created_at, seq,
       prev_hash, hash)
    SELECT t.id, u.id, p_district, u.amount, u.balance, p_at, u.seq, u.prev, u.link
      FROM t, unnest(ids, amounts, new_balances, new_seqs, tips, links)
        AS u(id, amount, balance, seq, prev, link)
  ), b AS (
    UPDATE timebank_account a
       SET balance = u.balance, earned = u.earned, chain_seq = u.seq, chain_hash = u.link
      FROM unnest(ids, new_balances, new_earned, new_seqs, links)
        AS u(id, balance, earned, seq, link)
     WHERE a.id = u.id
  ), e AS (
    INSERT INTO core_auditevent
      (at, actor_id, actor_name, action, object_type, object_id, object_repr, changes, purpose,
       client_ip, place_id, place_path)
    SELECT p_at, p_actor, p_actor_name, p_audit_action, 'timebank.transaction', t.id::text,
           left(p_repr_prefix || t.id, 200),
           jsonb_build_object(
             'key', p_key, 'memo', p_memo, 'reverses', p_reverses,
             'postings', (SELECT jsonb_object_agg(names[array_position(ids, p_accounts[k])],
                                                  p_formatted[k] ORDER BY k)
                            FROM generate_subscripts(p_accounts, 1) AS k)),
           '', p_client_ip, p_place, p_place_path
      FROM t
  )
  SELECT t.id INTO new_tx FROM t;
  RETURN QUERY SELECT new_tx, false;
END
$$ LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan;
