// Registered hosts as the CLI and the API use them: add, rotate and revoke with an audit row in the
// same transaction, the secrets and snippets answered once, and the list as an admin reads it
// (logs in, bouncer health, active decisions). Never a secret in the list.
import type { Host, HostSecrets } from '@portcullis/shared';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { hostSnippets, type SnippetContext } from './host-snippets.js';
import { HostExistsError, HostNameError, UnknownHostError, type HostRow, type HostsRepository, type HostSecrets as RepoSecrets } from './hosts.repository.js';

/** The bouncer's default update_frequency: the interval assumed until two pulls were measured. */
const DEFAULT_POLL_MS = 10_000;
/** Pulls closer than this (a HEAD then a GET) do not make the stale threshold tighter. */
const MIN_POLL_MS = 1_000;
const STALE_FACTOR = 3;

export interface Actor {
  name: string | null;
  ip: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** healthy / stale / revoked, and since when stale (null when never pulled). */
export function bouncerStatus(row: Pick<HostRow, 'revoked_at' | 'last_pull_at' | 'poll_interval_ms'>, now: number): { status: Host['status']; staleSince: number | null } {
  if (row.revoked_at !== null) return { status: 'revoked', staleSince: null };
  if (row.last_pull_at === null) return { status: 'stale', staleSince: null };
  const limit = row.last_pull_at + STALE_FACTOR * Math.max(row.poll_interval_ms ?? DEFAULT_POLL_MS, MIN_POLL_MS);
  return now > limit ? { status: 'stale', staleSince: limit } : { status: 'healthy', staleSince: null };
}

function domainError(err: unknown): unknown {
  if (err instanceof HostNameError) return new BadRequestError(err.message, 'HOST_NAME');
  if (err instanceof HostExistsError) return new ConflictError(err.message, 'HOST_EXISTS');
  if (err instanceof UnknownHostError) return new NotFoundError(err.message);
  return err;
}

export class HostsService {
  readonly #db: Db;
  readonly #alertsSince: Statement;
  readonly #decisions: Statement;

  constructor(
    db: Db,
    readonly repo: HostsRepository,
    readonly audit: AuditRepository,
    readonly snippets: SnippetContext,
  ) {
    this.#db = db;
    this.#alertsSince = db.prepare('SELECT host, count(*) AS n FROM alerts WHERE time >= ? AND host IS NOT NULL GROUP BY host');
    this.#decisions = db.prepare(`SELECT d.host_id AS id, count(*) AS n, sum(d.added_at IS NULL) AS pending
      FROM block_deliveries d JOIN blocks b ON b.id = d.block_id WHERE b.state = 'active' GROUP BY d.host_id`);
  }

  /** Every host (active first), as the list shows it. */
  list(now = Date.now()): Host[] {
    const alerts = new Map((this.#alertsSince.all(now - 60_000) as { host: string; n: number }[]).map((r) => [r.host, r.n]));
    const decisions = new Map((this.#decisions.all() as { id: number; n: number; pending: number }[]).map((r) => [r.id, r]));
    return this.repo.list().map((row) => this.#view(row, now, alerts.get(row.name) ?? 0, decisions.get(row.id)));
  }

  one(name: string, now = Date.now()): Host {
    const host = this.list(now).find((h) => h.name === name);
    if (!host) throw new NotFoundError(`no host named "${name}"`);
    return host;
  }

  #view(row: HostRow, now: number, alertsLastMinute: number, decisions: { n: number; pending: number } | undefined): Host {
    const { status, staleSince } = bouncerStatus(row, now);
    return {
      name: row.name,
      created_at: iso(row.created_at)!,
      created_by: row.created_by,
      rotated_at: iso(row.rotated_at),
      revoked_at: iso(row.revoked_at),
      status,
      stale_since: iso(staleSince),
      last_line_at: iso(row.last_line_at),
      lines: row.lines,
      lines_last_minute: this.repo.lineRate.lastMinute(row.id, now),
      alerts_last_minute: alertsLastMinute,
      refused_lines: row.refused_lines,
      last_pull_at: iso(row.last_pull_at),
      user_agent: row.user_agent,
      poll_interval_ms: row.poll_interval_ms,
      auth_failures: row.auth_failures,
      last_auth_failure_at: iso(row.last_auth_failure_at),
      active_decisions: row.revoked_at === null ? decisions?.n ?? 0 : 0,
      pending_decisions: row.revoked_at === null ? decisions?.pending ?? 0 : 0,
    };
  }

  #answer(s: RepoSecrets): HostSecrets {
    return { name: s.host.name, api_key: s.apiKey, ingest_token: s.ingestToken, snippets: hostSnippets(s.host.name, s.apiKey, this.snippets), host: this.one(s.host.name) };
  }

  /** Registers a host; the answer is the only time its secrets are known. */
  add(actor: Actor, name: string): HostSecrets {
    try {
      const secrets = this.#db.transaction(() => {
        const s = this.repo.create(name, actor.name);
        this.audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'host.add', target: name, before: null, after: { name } });
        return s;
      })();
      return this.#answer(secrets);
    } catch (err) {
      throw domainError(err);
    }
  }

  /** New bouncer key and ingest token; the old ones stop working at once. */
  rotate(actor: Actor, name: string): HostSecrets {
    try {
      const secrets = this.#db.transaction(() => {
        const s = this.repo.rotate(name);
        this.audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'host.rotate', target: name, before: null, after: { name, rotated_at: iso(s.host.rotated_at) } });
        return s;
      })();
      return this.#answer(secrets);
    } catch (err) {
      throw domainError(err);
    }
  }

  /** Revokes a host: its key and token stop at once; its rows and history stay. */
  revoke(actor: Actor, name: string): Host {
    try {
      this.#db.transaction(() => {
        const row = this.repo.revoke(name, actor.name);
        this.audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'host.revoke', target: name, before: { name }, after: { name, revoked_at: iso(row.revoked_at) } });
      })();
      return this.one(name);
    } catch (err) {
      throw domainError(err);
    }
  }
}
