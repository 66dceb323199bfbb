-- Alerts, and where each log source stopped reading (committed in the same transaction as the
-- alerts its lines produced, so a restart neither loses nor repeats a line).

CREATE TABLE alerts (
  id           INTEGER PRIMARY KEY,          -- grows with reception order: pages are keyed on it
  time         INTEGER NOT NULL,             -- reception time, ms since the epoch (UTC)
  event_time   INTEGER,                      -- time written in the line, ms, or NULL
  rule_id      INTEGER NOT NULL,
  level        INTEGER NOT NULL,
  description  TEXT    NOT NULL,
  groups       TEXT    NOT NULL,             -- ',a,b,c,' so one group is LIKE '%,g,%'
  decoder      TEXT,
  srcip        TEXT,
  user         TEXT,
  hostname     TEXT,
  program_name TEXT,
  location     TEXT    NOT NULL,
  full_log     TEXT    NOT NULL,
  fields       TEXT    NOT NULL DEFAULT '{}'  -- decoded fields, JSON object of strings
);

-- Each filter of GET /api/alerts walks one of these newest first; stats read by time.
CREATE INDEX alerts_time ON alerts (time);
CREATE INDEX alerts_level ON alerts (level, id);
CREATE INDEX alerts_rule ON alerts (rule_id, id);
CREATE INDEX alerts_srcip ON alerts (srcip, id) WHERE srcip IS NOT NULL;
CREATE INDEX alerts_hostname ON alerts (hostname, id);
CREATE INDEX alerts_location ON alerts (location, id);

-- File sources: the byte just past the last line handed on, keyed by the configured path.
CREATE TABLE file_positions (
  path       TEXT PRIMARY KEY,
  dev        INTEGER NOT NULL,
  ino        INTEGER NOT NULL,
  offset     INTEGER NOT NULL,
  size       INTEGER,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Sources that resume from an opaque cursor (journald).
CREATE TABLE source_cursors (
  source_id  TEXT PRIMARY KEY,
  cursor     TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
