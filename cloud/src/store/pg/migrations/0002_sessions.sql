-- Up Migration

-- Sign-in sessions of a cloud on PostgreSQL, shared by every instance (so any instance serves any request): by the
-- SHA-256 of the bearer token, never the token. Session state, not configuration: pg_dump of the store tables
-- carries them, and nothing in the domain reads them.
CREATE TABLE sessions (
  hash text PRIMARY KEY,
  user_id text NOT NULL,
  expires_at bigint NOT NULL,
  last_seen_at bigint NOT NULL,
  record jsonb NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Down Migration
DROP TABLE sessions;
