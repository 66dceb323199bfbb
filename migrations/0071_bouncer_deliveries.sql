-- Blocks enforced on registered hosts by their CrowdSec bouncers (many hosts).
--
-- `server_script` = whether the block runs the server's own <command> script. A block whose
-- <location> targets hosts only (`local` for another host's line, `defined-agent`) has 0: it is
-- active at once, and its end runs no script; its targets are its block_deliveries rows.
ALTER TABLE blocks ADD COLUMN server_script INTEGER NOT NULL DEFAULT 1;

-- What each host's bouncer holds, as of the last answer that was written to it: one row per
-- (scope, value) with the decision id (block id) and the time its ban ends in the bouncer. A
-- poll's deltas are the difference between this and the open blocks delivered to that host;
-- rows change only after an answer was written, so a restart loses and repeats nothing.
CREATE TABLE bouncer_sent (
  host_id  INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
  scope    TEXT    NOT NULL,                     -- 'Ip' | 'Range'
  value    TEXT    NOT NULL,                     -- canonical address or prefix
  block_id INTEGER NOT NULL,                     -- the decision id sent
  until    INTEGER NOT NULL,                     -- ms: when the ban ends in the bouncer's set
  PRIMARY KEY (host_id, scope, value)
) WITHOUT ROWID;

-- The deliveries a host still has to act on (its decision or its removal not yet pulled).
CREATE INDEX block_deliveries_open ON block_deliveries (host_id, block_id) WHERE removed_at IS NULL;
