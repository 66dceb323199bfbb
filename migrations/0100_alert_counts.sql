-- Alert counts per time slot, kept in the transactions that insert and prune alerts
-- (apps/server/src/modules/alerts/alert-counts.ts), so GET /api/stats adds up a few rows per slot
-- instead of reading every alert in its range: over a day of 1M alerts its three GROUP BYs took
-- seconds, and over 10 s (a timeout) while the server ingested.

-- By rule and level, in slots of 10 s and of 5 min (`width`, ms): `slot` = time - time % width,
-- of the alerts' reception time.
CREATE TABLE alert_counts (
  width       INTEGER NOT NULL,
  slot        INTEGER NOT NULL,
  rule_id     INTEGER NOT NULL,
  level       INTEGER NOT NULL,
  count       INTEGER NOT NULL,
  description TEXT    NOT NULL,   -- the largest description among them (as MAX(description) gives)
  PRIMARY KEY (width, slot, rule_id, level)
) WITHOUT ROWID;

-- By source address, in slots of an hour.
CREATE TABLE alert_source_counts (
  slot   INTEGER NOT NULL,
  srcip  TEXT    NOT NULL,
  count  INTEGER NOT NULL,
  PRIMARY KEY (slot, srcip)
) WITHOUT ROWID;

INSERT INTO alert_counts (width, slot, rule_id, level, count, description)
  SELECT 10000, time - time % 10000, rule_id, level, COUNT(*), MAX(description) FROM alerts GROUP BY 2, 3, 4;
INSERT INTO alert_counts (width, slot, rule_id, level, count, description)
  SELECT 300000, time - time % 300000, rule_id, level, COUNT(*), MAX(description) FROM alerts GROUP BY 2, 3, 4;
INSERT INTO alert_source_counts (slot, srcip, count)
  SELECT time - time % 3600000, srcip, COUNT(*) FROM alerts WHERE srcip IS NOT NULL GROUP BY 1, 2;
