-- Accounts: users, browser sessions, API tokens, the audit trail, and small settings.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT    NOT NULL,              -- argon2id, PHC string
  role          TEXT    NOT NULL CHECK (role IN ('viewer', 'responder', 'admin')),
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

-- Only the SHA-256 of a session id is stored: a copy of the database does not sign anyone in.
CREATE TABLE sessions (
  id_hash     TEXT    PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token  TEXT    NOT NULL,
  source_ip   TEXT,
  created_at  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL,
  token_hash   TEXT    NOT NULL UNIQUE,        -- SHA-256 of the secret
  scope        TEXT    NOT NULL CHECK (scope IN ('ingest', 'viewer', 'responder', 'admin')),
  created_by   TEXT,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);

-- Every state change: who, from where, what, on what, before and after (JSON), when.
CREATE TABLE audit (
  id        INTEGER PRIMARY KEY,
  time      INTEGER NOT NULL,
  actor     TEXT,
  source_ip TEXT,
  action    TEXT    NOT NULL,
  target    TEXT,
  before    TEXT,
  after     TEXT
);
CREATE INDEX audit_action ON audit (action, id);
CREATE INDEX audit_actor ON audit (actor, id);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
