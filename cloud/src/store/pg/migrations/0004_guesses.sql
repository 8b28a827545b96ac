-- Up Migration

-- The guess limits' counts (wrong sign-ins by client address, password-reset requests, wrong pickup codes), shared by
-- every instance so that guesses spread over instances count as on one (auth/guess-counts-pg.ts). A row is keyed by
-- an HMAC of its key under the secrets key, never the key: user names and addresses are personal data. Times in ms.
-- Rows whose failures are forgotten and whose lock is over are deleted by the instances; pg_dump may carry them,
-- nothing in the store reads them.
CREATE TABLE guess_counts (
  limit_name text NOT NULL,
  key_hash text NOT NULL,
  failures integer NOT NULL,
  last_failure bigint NOT NULL,
  locked_until bigint NOT NULL,
  PRIMARY KEY (limit_name, key_hash)
);
CREATE INDEX guess_counts_last_failure ON guess_counts (limit_name, last_failure);

-- Down Migration
DROP TABLE guess_counts;
