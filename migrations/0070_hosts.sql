-- Many hosts: each registered host has a bouncer API key (CrowdSec's X-Api-Key) and an ingest
-- token, both stored as SHA-512 hex (they are 32 random bytes: a slow hash adds nothing). A host
-- is revoked, never deleted, so its history (alerts, deliveries, audit rows) keeps its name.

CREATE TABLE hosts (
  id                  INTEGER PRIMARY KEY,
  name                TEXT    NOT NULL UNIQUE,     -- [A-Za-z0-9][A-Za-z0-9._-]{0,62}; a client certificate's CN
  api_key_hash        TEXT    NOT NULL UNIQUE,     -- sha512 hex of the bouncer key
  ingest_token_hash   TEXT    NOT NULL UNIQUE,     -- sha512 hex of the ingest token
  created_at          INTEGER NOT NULL,
  created_by          TEXT,
  rotated_at          INTEGER,                     -- last key rotation
  revoked_at          INTEGER,                     -- NULL = active
  revoked_by          TEXT,
  -- the bouncer, as seen on its pulls
  last_pull_at        INTEGER,
  last_startup_at     INTEGER,                     -- last pull with startup=true
  user_agent          TEXT,                        -- e.g. crowdsec-firewall-bouncer/v0.0.25-debian...
  poll_interval_ms    INTEGER,                     -- measured between the last two pulls
  auth_failures       INTEGER NOT NULL DEFAULT 0,
  last_auth_failure_at INTEGER,
  -- its logs
  last_line_at        INTEGER,
  lines               INTEGER NOT NULL DEFAULT 0,
  refused_lines       INTEGER NOT NULL DEFAULT 0
);

-- The host that authenticated the line (NULL: the server's own sources). `hostname` stays what
-- the line says.
ALTER TABLE alerts ADD COLUMN host TEXT;
CREATE INDEX alerts_host ON alerts (host, id) WHERE host IS NOT NULL;

-- One row per block and target host: whether that host's bouncer has pulled the decision, and
-- later its removal.
CREATE TABLE block_deliveries (
  block_id   INTEGER NOT NULL REFERENCES blocks (id) ON DELETE CASCADE,
  host_id    INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
  added_at   INTEGER,                              -- when its bouncer pulled the decision
  removed_at INTEGER,                              -- when its bouncer pulled the removal
  PRIMARY KEY (block_id, host_id)
) WITHOUT ROWID;
CREATE INDEX block_deliveries_host ON block_deliveries (host_id, block_id);
