-- How far a consumer of committed alerts that must not miss one has read: active response. The
-- ingest thread commits alerts and the event loop decides on them after; a crash can fall between,
-- so at start the alerts after the cursor (recent ones) are decided then. The cursor commits with
-- the decisions it covers.
CREATE TABLE alert_cursors (
  name       TEXT    PRIMARY KEY,
  last_id    INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
