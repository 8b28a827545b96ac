-- Up Migration

-- The controllers' events journal (sync/pg-event-journal.ts), shared by every instance: whichever instance owns a
-- bank stores its controllers' events here, and the one that takes the bank over goes on from them. Exactly once by
-- (controller_id, seq): an instance that stores a seq another one stored first inserts nothing. `n` is the order
-- of storing (what `read` of every controller answers in). `fingerprint` identifies the content (event-journal.ts
-- `fingerprint`): a replay has the same one, a second event under the seq another.
CREATE TABLE link_events (
  n bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  controller_id text NOT NULL,
  seq bigint NOT NULL,
  bank_id text NOT NULL,
  at bigint NOT NULL,
  stored_at bigint NOT NULL,
  event json NOT NULL,
  fingerprint text NOT NULL
);
-- One controller's events after a seq, in order; the highest seq of a list of controllers (backward index scans).
CREATE UNIQUE INDEX link_events_seq ON link_events (controller_id, seq);

-- Seqs from_seq..to_seq of a controller the cloud acknowledged once and no longer holds: they count as stored.
CREATE TABLE link_gaps (
  n bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  controller_id text NOT NULL,
  from_seq bigint NOT NULL,
  to_seq bigint NOT NULL,
  bank_id text NOT NULL,
  stored_at bigint NOT NULL,
  reason text NOT NULL,
  CHECK (to_seq >= from_seq)
);
CREATE UNIQUE INDEX link_gaps_seq ON link_gaps (controller_id, from_seq);
CREATE INDEX link_gaps_upto ON link_gaps (controller_id, to_seq);

-- A second, different event under a seq already stored: kept for review, never applied. Not unique: a sender may
-- bring several.
CREATE TABLE link_conflicts (
  n bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  controller_id text NOT NULL,
  seq bigint NOT NULL,
  bank_id text NOT NULL,
  at bigint NOT NULL,
  stored_at bigint NOT NULL,
  event json NOT NULL,
  fingerprint text NOT NULL
);
CREATE INDEX link_conflicts_seq ON link_conflicts (controller_id, seq, n);

-- The last desired state signed per controller (sync/pg-desired-store.ts), written before it is published. A row
-- only moves to a higher version, so no version is signed twice across instances.
CREATE TABLE desired_versions (
  controller_id text PRIMARY KEY,
  bank_id text NOT NULL,
  version bigint NOT NULL,
  message jsonb NOT NULL,
  hash text NOT NULL
);

-- Down Migration
DROP TABLE desired_versions, link_conflicts, link_gaps, link_events;
