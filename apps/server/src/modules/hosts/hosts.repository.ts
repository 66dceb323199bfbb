// SQL for registered hosts: registration (the secrets are returned once, stored hashed), key
// rotation, revocation, and what the server sees of each host (bouncer pulls, lines, failures).
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';
import { HOST_NAME, hashHostSecret, newApiKey, newIngestToken } from './host-keys.js';
import { LineRate } from './line-rate.js';

export interface HostRow {
  id: number;
  name: string;
  api_key_hash: string;
  ingest_token_hash: string;
  created_at: number;
  created_by: string | null;
  rotated_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
  last_pull_at: number | null;
  last_startup_at: number | null;
  user_agent: string | null;
  poll_interval_ms: number | null;
  auth_failures: number;
  last_auth_failure_at: number | null;
  last_line_at: number | null;
  lines: number;
  refused_lines: number;
}

/** A host just registered or rotated: the only time its secrets are known in clear. */
export interface HostSecrets {
  host: HostRow;
  apiKey: string;
  ingestToken: string;
}

export class HostNameError extends Error {}
export class HostExistsError extends Error {}
export class UnknownHostError extends Error {}

export class HostsRepository {
  /** Lines per host over the last minute (in memory; fed by recordLines). */
  readonly lineRate = new LineRate();
  readonly #db: Db;
  readonly #byName: Statement;
  readonly #byId: Statement;
  readonly #byKey: Statement;
  readonly #revokedByKey: Statement;
  readonly #byToken: Statement;
  readonly #pulled: Statement;
  readonly #lines: Statement;
  readonly #all: Statement;
  readonly #active: Statement;
  readonly #activeCount: Statement;
  readonly #failure: Statement;
  readonly #listeners = new Set<(host: number | string) => void>();

  constructor(db: Db) {
    this.#db = db;
    this.#byName = db.prepare('SELECT * FROM hosts WHERE name = ?');
    this.#byId = db.prepare('SELECT * FROM hosts WHERE id = ?');
    this.#byKey = db.prepare('SELECT * FROM hosts WHERE api_key_hash = ? AND revoked_at IS NULL');
    this.#revokedByKey = db.prepare('SELECT * FROM hosts WHERE api_key_hash = ? AND revoked_at IS NOT NULL');
    this.#byToken = db.prepare('SELECT * FROM hosts WHERE ingest_token_hash = ? AND revoked_at IS NULL');
    this.#pulled = db.prepare(`UPDATE hosts SET
      poll_interval_ms = CASE WHEN @startup = 0 AND last_pull_at IS NOT NULL THEN @now - last_pull_at ELSE poll_interval_ms END,
      last_pull_at = @now,
      last_startup_at = CASE WHEN @startup = 1 THEN @now ELSE last_startup_at END,
      user_agent = @ua
      WHERE id = @id`);
    this.#lines = db.prepare('UPDATE hosts SET lines = lines + @n, last_line_at = @now WHERE id = @id');
    this.#failure = db.prepare('UPDATE hosts SET auth_failures = auth_failures + 1, last_auth_failure_at = ? WHERE id = ?');
    // Asked on every block decision (the active hosts a <location> may name) and every sources report.
    this.#all = db.prepare('SELECT * FROM hosts ORDER BY revoked_at IS NOT NULL, name');
    this.#active = db.prepare('SELECT * FROM hosts WHERE revoked_at IS NULL ORDER BY name');
    this.#activeCount = db.prepare('SELECT count(*) FROM hosts WHERE revoked_at IS NULL').pluck();
  }

  /** Calls `fn` with a host's id or name after each change to its row (the live `hosts` event). */
  onChange(fn: (host: number | string) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #changed(host: number | string): void {
    for (const fn of this.#listeners) fn(host);
  }

  /** Registers a host; throws HostNameError or HostExistsError (a revoked name stays taken). */
  create(name: string, by: string | null, now = Date.now()): HostSecrets {
    if (!HOST_NAME.test(name)) throw new HostNameError(`host name "${name}" must be letters, digits, '.', '_' or '-' (up to 63, starting with a letter or digit)`);
    if (this.byName(name)) throw new HostExistsError(`a host named "${name}" already exists`);
    const apiKey = newApiKey();
    const ingestToken = newIngestToken();
    const id = Number(this.#db.prepare('INSERT INTO hosts (name, api_key_hash, ingest_token_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)')
      .run(name, hashHostSecret(apiKey), hashHostSecret(ingestToken), now, by).lastInsertRowid);
    this.#changed(id);
    return { host: this.get(id)!, apiKey, ingestToken };
  }

  /** New secrets for a host (the old ones stop working at once). */
  rotate(name: string, now = Date.now()): HostSecrets {
    const host = this.byName(name);
    if (!host || host.revoked_at !== null) throw new UnknownHostError(`no active host named "${name}"`);
    const apiKey = newApiKey();
    const ingestToken = newIngestToken();
    this.#db.prepare('UPDATE hosts SET api_key_hash = ?, ingest_token_hash = ?, rotated_at = ? WHERE id = ?')
      .run(hashHostSecret(apiKey), hashHostSecret(ingestToken), now, host.id);
    this.#changed(host.id);
    return { host: this.get(host.id)!, apiKey, ingestToken };
  }

  /** Revokes a host: its key and token stop working at once; its rows stay. */
  revoke(name: string, by: string | null, now = Date.now()): HostRow {
    const host = this.byName(name);
    if (!host || host.revoked_at !== null) throw new UnknownHostError(`no active host named "${name}"`);
    this.#db.prepare('UPDATE hosts SET revoked_at = ?, revoked_by = ? WHERE id = ?').run(now, by, host.id);
    this.#changed(host.id);
    return this.get(host.id)!;
  }

  get(id: number): HostRow | undefined {
    return this.#byId.get(id) as HostRow | undefined;
  }

  byName(name: string): HostRow | undefined {
    return this.#byName.get(name) as HostRow | undefined;
  }

  /** Every host, active first, by name. */
  list(includeRevoked = true): HostRow[] {
    return (includeRevoked ? this.#all : this.#active).all() as HostRow[];
  }

  /** Active hosts, by name. */
  active(): HostRow[] {
    return this.list(false);
  }

  /** The active host whose bouncer API key this is. */
  byApiKey(key: string): HostRow | undefined {
    return this.#byKey.get(hashHostSecret(key)) as HostRow | undefined;
  }

  /**
   * The revoked host whose bouncer API key this is (its refused pulls are counted on its row: a
   * bouncer still running on a revoked host shows on the Hosts page). A rotated-away key names no
   * host: only the current hash is kept.
   */
  revokedByApiKey(key: string): HostRow | undefined {
    return this.#revokedByKey.get(hashHostSecret(key)) as HostRow | undefined;
  }

  /** The active host whose ingest token this is. */
  byIngestToken(token: string): HostRow | undefined {
    return this.#byToken.get(hashHostSecret(token)) as HostRow | undefined;
  }

  /** A bouncer pull answered: when, whether it was a startup pull, and who it said it is. */
  recordPull(id: number, now: number, startup: boolean, userAgent: string | null): void {
    this.#pulled.run({ id, now, startup: startup ? 1 : 0, ua: userAgent });
    this.#changed(id);
  }

  recordLines(id: number, n: number, now: number): void {
    this.#lines.run({ id, n, now });
    this.lineRate.add(id, n, now);
    this.#changed(id);
  }

  /** Lines a host sent that were not taken (revoked mid-connection, forged journal entries, over the limits). */
  recordRefusedLines(name: string, n: number): void {
    this.#db.prepare('UPDATE hosts SET refused_lines = refused_lines + ? WHERE name = ?').run(n, name);
    this.#changed(name);
  }

  recordAuthFailure(id: number, now: number): void {
    this.#failure.run(now, id);
    this.#changed(id);
  }

  count(): number {
    return this.#activeCount.get() as number;
  }
}
