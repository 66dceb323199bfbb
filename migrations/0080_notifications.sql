-- Notifications: an outbox of what is to be told to whom (e-mail, Slack, JSON webhooks), every
-- attempt to send it, and how far the alerts and block events have been read. A row's `key` (what
-- + destination) is unique, so reading the same alert or block event again after a crash adds nothing.

CREATE TABLE notify_outbox (
  id          INTEGER PRIMARY KEY,
  key         TEXT    NOT NULL UNIQUE,      -- 'alert:<id>:<dest>', 'block:<block id>:<event>:<dest>', 'test:…', 'digest:…'
  channel     TEXT    NOT NULL CHECK (channel IN ('email', 'slack', 'webhook')),
  destination TEXT    NOT NULL,             -- the destination's key: 'email:<to,…>:<format>' or 'integration:<name>:<hook_url>'
  label       TEXT    NOT NULL,             -- what the dashboard shows: 'e-mail to a@b', 'custom-ops'
  kind        TEXT    NOT NULL CHECK (kind IN ('alert', 'block', 'test', 'digest')),
  alert_id    INTEGER,                      -- no foreign key: retention prunes alerts, the history stays
  block_id    INTEGER,
  level       INTEGER,
  summary     TEXT    NOT NULL,             -- one line: the subject, or the rule and address
  payload     TEXT    NOT NULL,             -- JSON: { subject, text } for mail, the request body for webhooks
  -- queued: to send at next_at; held: over email_maxperhour, waits for the next hour's digest;
  -- grouped: sent inside the digest `digest_id`; sent; failed: gave up after the last attempt.
  state       TEXT    NOT NULL CHECK (state IN ('queued', 'held', 'grouped', 'sent', 'failed')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_at     INTEGER NOT NULL,             -- ms since the epoch
  created_at  INTEGER NOT NULL,
  sent_at     INTEGER,
  last_error  TEXT,
  digest_id   INTEGER,
  no_group    INTEGER NOT NULL DEFAULT 0,   -- do_not_group: a held alert is sent alone at the next hour
  no_delay    INTEGER NOT NULL DEFAULT 0    -- do_not_delay: never held by email_maxperhour
);
CREATE INDEX notify_due ON notify_outbox (state, next_at);
CREATE INDEX notify_sent ON notify_outbox (channel, sent_at);

CREATE TABLE notify_attempts (
  id          INTEGER PRIMARY KEY,
  outbox_id   INTEGER NOT NULL REFERENCES notify_outbox (id) ON DELETE CASCADE,
  time        INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  ok          INTEGER NOT NULL,
  error       TEXT                          -- SMTP reply, HTTP status and body start, or the network error
);
CREATE INDEX notify_attempts_outbox ON notify_attempts (outbox_id, id);

-- The last alert id and block event id already turned into outbox rows.
CREATE TABLE notify_cursor (
  name    TEXT    PRIMARY KEY,
  last_id INTEGER NOT NULL
) WITHOUT ROWID;
