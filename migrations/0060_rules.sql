-- Rules, files and the white list as the dashboard changes them (design decision 4 and 5).

-- Level tuning as an override layer: keyed by rule id, applied each time an engine is compiled,
-- kept across ruleset upgrades. `rule_hash` is the sha256 of the rule's source text when the
-- override was made: a different hash now means the rule under it changed (shown as stale).
CREATE TABLE rule_overrides (
  rule_id    INTEGER PRIMARY KEY,
  level      INTEGER CHECK (level IS NULL OR level BETWEEN 0 AND 16),  -- NULL: as written
  disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  frequency  INTEGER CHECK (frequency IS NULL OR frequency >= 1),      -- NULL: as written
  timeframe  INTEGER CHECK (timeframe IS NULL OR timeframe >= 1),      -- seconds; NULL: as written
  note       TEXT    NOT NULL,
  rule_hash  TEXT    NOT NULL,
  author     TEXT,
  created_at INTEGER NOT NULL,                                         -- ms since the epoch
  updated_at INTEGER NOT NULL
);

-- Whole-file edits of rule and decoder files, and of the config's <command>/<active-response>
-- blocks (kind 'config'): every saved content, so any of them can be rolled back to. The first
-- save of a path also stores the content it replaced (message 'as found before the first edit').
CREATE TABLE ruleset_revisions (
  id         INTEGER PRIMARY KEY,
  path       TEXT    NOT NULL,    -- relative to the config's home, or absolute outside it
  kind       TEXT    NOT NULL CHECK (kind IN ('rules', 'decoders', 'config')),
  content    TEXT    NOT NULL,
  hash       TEXT    NOT NULL,    -- sha256 of content
  author     TEXT,
  message    TEXT    NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX ruleset_revisions_path ON ruleset_revisions (path, id);

-- White-list entries added from the dashboard, merged with the config's <white_list> entries
-- by active response.
CREATE TABLE whitelist_entries (
  id         INTEGER PRIMARY KEY,
  value      TEXT    NOT NULL UNIQUE,  -- canonical address or network (CIDR)
  note       TEXT    NOT NULL,
  created_by TEXT,
  created_at INTEGER NOT NULL
);
