-- Up Migration

-- The live state: every collection of the store (LiveCollections), one row per key. `version` is the seq of the
-- change that last wrote the row (the optimistic checks compare it); `ord` the seq of the change that first wrote it
-- and `ord_i` its place in that change (the order `list` answers in).
CREATE TABLE live (
  c text NOT NULL,
  key text NOT NULL,
  value jsonb NOT NULL,
  version bigint NOT NULL,
  ord bigint NOT NULL,
  ord_i integer NOT NULL,
  PRIMARY KEY (c, key)
);
CREATE INDEX live_ord ON live (ord, ord_i);

-- Guard keys (a bank id, a lock name): the seq of the last change made under each. A change computed under a key
-- commits only if nobody committed under it since the instance read.
CREATE TABLE guards (
  key text PRIMARY KEY,
  version bigint NOT NULL
);

-- The change feed: every committed change in commit order (seqs are taken under one lock), read by the other
-- instances to keep their memory current. Old entries are pruned; an instance further behind reloads.
CREATE SEQUENCE change_seq;
CREATE TABLE changes (
  seq bigint PRIMARY KEY,
  instance text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  body jsonb NOT NULL
);

-- Ended reservations. `n` is the recording order (the cursor of a page, newest first); `subjects` every person id an
-- erasure looks for (recipient, creator, drop-off and pickup parties).
CREATE TABLE ended (
  n bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL,
  bank_id text NOT NULL,
  recipient_id text NOT NULL,
  ended_at bigint NOT NULL,
  subjects text[] NOT NULL,
  value jsonb NOT NULL
);
CREATE INDEX ended_id ON ended (id, n);
CREATE INDEX ended_bank ON ended (bank_id, n);
CREATE INDEX ended_recipient ON ended (recipient_id, n);
CREATE INDEX ended_time ON ended (ended_at);
CREATE INDEX ended_subjects ON ended USING gin (subjects);

-- The activity log, answered oldest first by (at, n): one index per filter of the activity report.
CREATE TABLE activity (
  n bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at bigint NOT NULL,
  type text NOT NULL,
  bank_id text,
  recipient_id text,
  actor_id text,
  reservation_id text,
  enterprise_id text,
  value jsonb NOT NULL
);
CREATE INDEX activity_time ON activity (at, n);
CREATE INDEX activity_bank ON activity (bank_id, at, n);
CREATE INDEX activity_recipient ON activity (recipient_id, at, n);
CREATE INDEX activity_actor ON activity (actor_id, at, n);
CREATE INDEX activity_type ON activity (type, at, n);
CREATE INDEX activity_reservation ON activity (reservation_id);
CREATE INDEX activity_enterprise ON activity (enterprise_id, at, n) WHERE bank_id IS NULL;

-- History before `history_cutoff` (epoch ms) is out of retention: queries stop answering it at once, rows are
-- deleted in small steps afterwards.
CREATE TABLE store_meta (
  key text PRIMARY KEY,
  value bigint NOT NULL
);
INSERT INTO store_meta (key, value) VALUES ('history_cutoff', 0);

-- The expected version of an optimistic check: a number, null (the row must be absent), or {"p": i}: what change i
-- of the same batch wrote (its seq; with "gone", that it deleted the row), -1 (never a version) when it was refused.
CREATE FUNCTION portier_expected(e jsonb, seqs bigint[]) RETURNS bigint LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE jsonb_typeof(e)
    WHEN 'object' THEN CASE
      WHEN seqs[(e ->> 'p')::int] IS NULL THEN -1
      WHEN e ? 'gone' THEN 0
      ELSE seqs[(e ->> 'p')::int]
    END
    WHEN 'null' THEN 0
    ELSE (e #>> '{}')::bigint
  END
$fn$;

-- Commits a batch of changes of one instance, in order, under the one commit lock (so seqs are in commit order and
-- the feed has no holes to wait for). Each change carries the versions it expects of its keys ("k": [c, key, v]) and
-- guards ("g": [key, v]); a change whose expectation does not hold is refused (null in the answer) and writes
-- nothing. Answers the seq of each change, or null.
CREATE FUNCTION portier_commit(writer text, batch jsonb) RETURNS bigint[] LANGUAGE plpgsql AS $fn$
DECLARE
  ch jsonb;
  seqs bigint[] := '{}';
  s bigint;
  any_done boolean := false;
BEGIN
  PERFORM pg_advisory_xact_lock(7240424);
  FOR ch IN SELECT value FROM jsonb_array_elements(batch) WITH ORDINALITY AS b(value, i) ORDER BY i LOOP
    IF EXISTS (
      SELECT 1 FROM jsonb_array_elements(ch -> 'k') e LEFT JOIN live l ON l.c = e ->> 0 AND l.key = e ->> 1
      WHERE coalesce(l.version, 0) <> portier_expected(e -> 2, seqs)
    ) OR EXISTS (
      SELECT 1 FROM jsonb_array_elements(ch -> 'g') e LEFT JOIN guards g ON g.key = e ->> 0
      WHERE coalesce(g.version, 0) <> portier_expected(e -> 1, seqs)
    ) THEN
      seqs := seqs || NULL::bigint;
      CONTINUE;
    END IF;
    s := nextval('change_seq');
    DELETE FROM live l USING jsonb_array_elements(ch -> 'del') e WHERE l.c = e ->> 0 AND l.key = e ->> 1;
    INSERT INTO live (c, key, value, version, ord, ord_i)
      SELECT e ->> 0, e ->> 1, e -> 2, s, s, i FROM jsonb_array_elements(ch -> 'put') WITH ORDINALITY AS x(e, i)
      ON CONFLICT (c, key) DO UPDATE SET value = excluded.value, version = excluded.version;
    INSERT INTO guards (key, version)
      SELECT e ->> 0, s FROM jsonb_array_elements(ch -> 'g') e
      ON CONFLICT (key) DO UPDATE SET version = excluded.version;
    INSERT INTO ended (id, bank_id, recipient_id, ended_at, subjects, value)
      SELECT e ->> 'id', e ->> 'b', e ->> 'r', (e ->> 'at')::bigint, ARRAY(SELECT jsonb_array_elements_text(e -> 's')), e -> 'v'
      FROM jsonb_array_elements(ch -> 'ended') WITH ORDINALITY AS x(e, i) ORDER BY i;
    INSERT INTO activity (at, type, bank_id, recipient_id, actor_id, reservation_id, enterprise_id, value)
      SELECT (e ->> 'at')::bigint, e ->> 't', e ->> 'b', e ->> 'r', e ->> 'p', e ->> 'res', e ->> 'e', e -> 'v'
      FROM jsonb_array_elements(ch -> 'activity') WITH ORDINALITY AS x(e, i) ORDER BY i;
    IF ch ? 'cutoff' THEN
      UPDATE store_meta SET value = greatest(value, (ch ->> 'cutoff')::bigint) WHERE key = 'history_cutoff';
    END IF;
    INSERT INTO changes (seq, instance, body)
      VALUES (s, writer, jsonb_build_object('put', ch -> 'put', 'del', ch -> 'del', 'g', ch -> 'g'));
    seqs := seqs || s;
    any_done := true;
  END LOOP;
  IF any_done THEN
    PERFORM pg_notify('portier_changes', writer);
  END IF;
  RETURN seqs;
END
$fn$;

-- Down Migration
DROP FUNCTION portier_commit(text, jsonb);
DROP FUNCTION portier_expected(jsonb, bigint[]);
DROP TABLE store_meta, activity, ended, changes, guards, live;
DROP SEQUENCE change_seq;
