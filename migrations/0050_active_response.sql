-- Active response: blocks (the state machine), every script run, the events of a block's life,
-- repeated-offender counts and release grace periods. A block row exists before its script runs
-- ("persist, then publish, then respond"); its `expires_at` is the timer.

CREATE TABLE blocks (
  id             INTEGER PRIMARY KEY,
  ip             TEXT,                         -- canonical address; NULL when the command had no srcip
  command        TEXT    NOT NULL,             -- <command> name
  executable     TEXT    NOT NULL,             -- <executable> as configured when the block was made
  protocol       TEXT    NOT NULL CHECK (protocol IN ('ossec', 'json')),
  origin         TEXT    NOT NULL CHECK (origin IN ('alert', 'manual')),
  state          TEXT    NOT NULL CHECK (state IN ('pending', 'active', 'releasing', 'released', 'expired', 'failed', 'refused')),
  -- what the state 'releasing' ends in: 'released' (by someone) or 'expired' (the timer)
  ending         TEXT    CHECK (ending IN ('released', 'expired')),
  rule_id        INTEGER,
  alert_id       INTEGER,                      -- no foreign key: retention prunes alerts, blocks stay
  user           TEXT,                         -- validated $2, or NULL
  location       TEXT,                         -- validated $6, or NULL
  filename       TEXT,                         -- validated $7, or NULL
  request        TEXT,                         -- the JSON message of a json-protocol add (delete replays it)
  ar_index       INTEGER,                      -- which <active-response> (position in the config)
  timeout        INTEGER NOT NULL DEFAULT 0,   -- seconds; 0 = until released
  offense        INTEGER NOT NULL DEFAULT 1,   -- repeated-offender step, 1 = first
  hits           INTEGER NOT NULL DEFAULT 1,   -- alerts that led to this row (extensions, repeated refusals)
  created_at     INTEGER NOT NULL,             -- ms since the epoch
  created_by     TEXT,                         -- 'rule 5712', a user name, 'cli:root'
  updated_at     INTEGER NOT NULL,
  expires_at     INTEGER,                      -- the timer: when `delete` runs (ms); NULL = never
  verified       INTEGER,                      -- 1 found in place, 0 not found, NULL no check
  verified_at    INTEGER,
  drift          INTEGER NOT NULL DEFAULT 0,   -- a check found the firewall differing from this row
  reason         TEXT,                         -- manual reason, refusal reason, script failure
  released_at    INTEGER,
  released_by    TEXT,
  release_reason TEXT,
  grace_until    INTEGER
);
CREATE INDEX blocks_ip ON blocks (ip, id);
CREATE INDEX blocks_state ON blocks (state, id);
CREATE INDEX blocks_command ON blocks (command, id);
CREATE INDEX blocks_rule ON blocks (rule_id, id);
-- At most one open block per (command, ip): execd's pending entry. A block being deleted
-- (releasing) is no longer open: a new alert makes a new block, whose add waits for that delete.
CREATE UNIQUE INDEX blocks_open ON blocks (command, ifnull(ip, '-')) WHERE state IN ('pending', 'active');
-- The duplicate check's lookup.
CREATE INDEX blocks_key ON blocks (command, ifnull(ip, '-'), state);
-- Repeated refusals (a white-listed address that keeps alerting) count as hits on one recent row.
CREATE INDEX blocks_refused ON blocks (command, ifnull(ip, '-'), reason, updated_at) WHERE state = 'refused';
-- The timer: the earliest due active block.
CREATE INDEX blocks_due ON blocks (state, expires_at);

-- Every run of a script: stored before it starts (exit_code NULL while it runs), completed after.
CREATE TABLE ar_runs (
  id           INTEGER PRIMARY KEY,
  block_id     INTEGER NOT NULL REFERENCES blocks (id) ON DELETE CASCADE,
  action       TEXT    NOT NULL CHECK (action IN ('add', 'delete', 'check')),
  command      TEXT    NOT NULL,
  executable   TEXT    NOT NULL,               -- the resolved path that was run
  protocol     TEXT    NOT NULL,
  argv         TEXT    NOT NULL,               -- JSON array of the arguments after the program
  stdin        TEXT,                           -- what was written to stdin (json protocol)
  started_at   INTEGER NOT NULL,
  duration_ms  INTEGER,
  exit_code    INTEGER,
  signal       TEXT,
  timed_out    INTEGER NOT NULL DEFAULT 0,
  stdout       TEXT    NOT NULL DEFAULT '',    -- bounded
  stderr       TEXT    NOT NULL DEFAULT '',    -- bounded
  error        TEXT                            -- spawn failure, not-allowed executable, …
);
CREATE INDEX ar_runs_block ON ar_runs (block_id, id);

-- What happened to a block, by whom: created, extended, active, failed, verified, drift, released…
CREATE TABLE block_events (
  id        INTEGER PRIMARY KEY,
  block_id  INTEGER NOT NULL REFERENCES blocks (id) ON DELETE CASCADE,
  time      INTEGER NOT NULL,
  kind      TEXT    NOT NULL,
  actor     TEXT,
  alert_id  INTEGER,
  detail    TEXT
);
CREATE INDEX block_events_block ON block_events (block_id, id);

-- repeated_offenders: execd's count per command and address, never decremented (spec §6.4).
CREATE TABLE ar_offenses (
  command    TEXT    NOT NULL,
  ip         TEXT    NOT NULL,                 -- '-' when there is no address
  count      INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (command, ip)
) WITHOUT ROWID;

-- After an early release with a grace period, alerts do not block this address again until then.
CREATE TABLE ar_grace (
  ip       TEXT    PRIMARY KEY,
  until    INTEGER NOT NULL,
  block_id INTEGER,
  set_by   TEXT
) WITHOUT ROWID;
