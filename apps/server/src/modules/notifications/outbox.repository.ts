// SQL of notifications (migrations/0080_notifications.sql): the outbox, its attempts, the read
// cursors; and the reads of alerts, blocks and block events the enqueuer needs.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';
import type { AlertView, BlockView } from './notify-format.js';

export type OutboxState = 'queued' | 'held' | 'grouped' | 'sent' | 'failed';
export type OutboxChannel = 'email' | 'slack' | 'webhook';

export interface OutboxRow {
  id: number;
  key: string;
  channel: OutboxChannel;
  destination: string;
  label: string;
  kind: 'alert' | 'block' | 'test' | 'digest';
  alert_id: number | null;
  block_id: number | null;
  level: number | null;
  summary: string;
  payload: string;
  state: OutboxState;
  attempts: number;
  next_at: number;
  created_at: number;
  sent_at: number | null;
  last_error: string | null;
  digest_id: number | null;
  no_group: number;
  no_delay: number;
}

export type NewOutbox = Pick<OutboxRow, 'key' | 'channel' | 'destination' | 'label' | 'kind' | 'alert_id' | 'block_id' | 'level' | 'summary' | 'payload' | 'next_at' | 'created_at'>
  & { no_group?: number; no_delay?: number };

export interface AttemptRow {
  id: number;
  outbox_id: number;
  time: number;
  duration_ms: number;
  ok: number;
  error: string | null;
}

export interface BlockEventRow {
  id: number;
  block_id: number;
  time: number;
  kind: string;
  actor: string | null;
  alert_id: number | null;
  detail: string | null;
  ip: string | null;
  command: string;
  rule_id: number | null;
  timeout: number;
}

export class OutboxRepository {
  readonly #db: Db;
  readonly #insert: Statement;
  readonly #due: Statement;
  readonly #attempt: Statement;
  readonly #cursorGet: Statement;
  readonly #cursorSet: Statement;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO notify_outbox
      (key, channel, destination, label, kind, alert_id, block_id, level, summary, payload, state, next_at, created_at, no_group, no_delay)
      VALUES (@key, @channel, @destination, @label, @kind, @alert_id, @block_id, @level, @summary, @payload, 'queued', @next_at, @created_at, @no_group, @no_delay)
      ON CONFLICT (key) DO NOTHING`);
    this.#due = db.prepare("SELECT * FROM notify_outbox WHERE state = 'queued' AND next_at <= ? ORDER BY next_at, id LIMIT ?");
    this.#attempt = db.prepare('INSERT INTO notify_attempts (outbox_id, time, duration_ms, ok, error) VALUES (?, ?, ?, ?, ?)');
    // Per committed batch of alerts: prepared once.
    this.#cursorGet = db.prepare('SELECT last_id FROM notify_cursor WHERE name = ?').pluck();
    this.#cursorSet = db.prepare('INSERT INTO notify_cursor (name, last_id) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last_id = max(last_id, excluded.last_id)');
  }

  /** Adds a row unless one with its key exists; true when added. */
  enqueue(row: NewOutbox): boolean {
    return this.#insert.run({ no_group: 0, no_delay: 0, ...row }).changes > 0;
  }

  due(now: number, limit: number): OutboxRow[] {
    return this.#due.all(now, limit) as OutboxRow[];
  }

  get(id: number): OutboxRow | undefined {
    return this.#db.prepare('SELECT * FROM notify_outbox WHERE id = ?').get(id) as OutboxRow | undefined;
  }

  byKey(key: string): OutboxRow | undefined {
    return this.#db.prepare('SELECT * FROM notify_outbox WHERE key = ?').get(key) as OutboxRow | undefined;
  }

  nextDue(): number | null {
    return (this.#db.prepare("SELECT min(next_at) FROM notify_outbox WHERE state IN ('queued', 'held')").pluck().get() as number | null) ?? null;
  }

  /** Records an attempt and the row's new state, together. */
  attempted(id: number, a: { time: number; durationMs: number; ok: boolean; error: string | null }, next: { state: OutboxState; nextAt: number }): void {
    this.#db.transaction(() => {
      this.#attempt.run(id, a.time, Math.round(a.durationMs), a.ok ? 1 : 0, a.error);
      this.#db.prepare(`UPDATE notify_outbox SET attempts = attempts + 1, state = ?, next_at = ?, last_error = ?, sent_at = CASE WHEN ? THEN ? ELSE sent_at END WHERE id = ?`)
        .run(next.state, next.nextAt, a.ok ? null : a.error, a.ok ? 1 : 0, a.time, id);
    })();
  }

  hold(id: number, until: number): void {
    this.#db.prepare("UPDATE notify_outbox SET state = 'held', next_at = ? WHERE id = ?").run(until, id);
  }

  /** Held mail of the past hours, oldest first. */
  heldDue(now: number): OutboxRow[] {
    return this.#db.prepare("SELECT * FROM notify_outbox WHERE state = 'held' AND next_at <= ? ORDER BY id").all(now) as OutboxRow[];
  }

  /** Adds the digest row and marks the held rows as sent inside it, together. */
  groupIntoDigest(ids: number[], digest: NewOutbox): void {
    this.#db.transaction(() => {
      this.enqueue(digest);
      const id = this.byKey(digest.key)!.id;
      const stmt = this.#db.prepare("UPDATE notify_outbox SET state = 'grouped', digest_id = ? WHERE id = ?");
      for (const held of ids) stmt.run(id, held);
    })();
  }

  /** Mails that OSSEC's grouping may join: first attempts of alert mails, neither do_not_group nor do_not_delay; oldest first. */
  groupable(): OutboxRow[] {
    return this.#db.prepare(`SELECT * FROM notify_outbox WHERE state = 'queued' AND channel = 'email' AND kind = 'alert'
      AND no_group = 0 AND no_delay = 0 AND attempts = 0 ORDER BY id`).all() as OutboxRow[];
  }

  /** Moves rows' next attempt (a grouping window still open). */
  deferTo(ids: number[], at: number): void {
    const stmt = this.#db.prepare('UPDATE notify_outbox SET next_at = ? WHERE id = ?');
    this.#db.transaction(() => {
      for (const id of ids) stmt.run(at, id);
    })();
  }

  /** Digests made but not yet sent (they count towards email_maxperhour before they go). */
  digestsWaiting(): number {
    return this.#db.prepare("SELECT count(*) FROM notify_outbox WHERE channel = 'email' AND kind = 'digest' AND state = 'queued' AND attempts = 0").pluck().get() as number;
  }

  requeue(id: number, at: number): void {
    this.#db.prepare("UPDATE notify_outbox SET state = 'queued', next_at = ? WHERE id = ?").run(at, id);
  }

  /** Mails sent (or being tried) since `since`: what email_maxperhour counts. */
  mailsSince(since: number): number {
    return this.#db.prepare("SELECT count(*) FROM notify_outbox WHERE channel = 'email' AND kind != 'test' AND sent_at >= ?").pluck().get(since) as number;
  }

  history(q: { limit: number; before?: number; state?: OutboxState }): OutboxRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.before !== undefined) {
      where.push('id < ?');
      args.push(q.before);
    }
    if (q.state !== undefined) {
      where.push('state = ?');
      args.push(q.state);
    }
    return this.#db.prepare(`SELECT * FROM notify_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`).all(...args, q.limit) as OutboxRow[];
  }

  attempts(outboxIds: number[]): AttemptRow[] {
    if (outboxIds.length === 0) return [];
    return this.#db.prepare(`SELECT * FROM notify_attempts WHERE outbox_id IN (${outboxIds.map(() => '?').join(',')}) ORDER BY id`).all(...outboxIds) as AttemptRow[];
  }

  counts(): Array<{ channel: OutboxChannel; state: OutboxState; n: number }> {
    return this.#db.prepare('SELECT channel, state, count(*) AS n FROM notify_outbox GROUP BY channel, state').all() as Array<{ channel: OutboxChannel; state: OutboxState; n: number }>;
  }

  cursor(name: string): number | null {
    return (this.#cursorGet.get(name) as number | undefined) ?? null;
  }

  setCursor(name: string, id: number): void {
    this.#cursorSet.run(name, id);
  }

  maxAlertId(): number {
    return (this.#db.prepare('SELECT max(id) FROM alerts').pluck().get() as number | null) ?? 0;
  }

  maxBlockEventId(): number {
    return (this.#db.prepare('SELECT max(id) FROM block_events').pluck().get() as number | null) ?? 0;
  }

  alertsAfter(id: number, limit: number): AlertView[] {
    const rows = this.#db.prepare('SELECT * FROM alerts WHERE id > ? ORDER BY id LIMIT ?').all(id, limit) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: r.id as number, time: r.time as number, ruleId: r.rule_id as number, level: r.level as number, description: r.description as string,
      groups: (r.groups as string).split(',').filter(Boolean), decoder: r.decoder as string | null, srcip: r.srcip as string | null, user: r.user as string | null,
      hostname: r.hostname as string | null, location: r.location as string, fullLog: r.full_log as string, fields: JSON.parse(r.fields as string) as Record<string, string>,
      host: (r.host as string | null) ?? null,
    }));
  }

  blockEventsAfter(id: number, limit: number): BlockEventRow[] {
    return this.#db.prepare(`SELECT e.id, e.block_id, e.time, e.kind, e.actor, e.alert_id, e.detail, b.ip, b.command, b.rule_id, b.timeout
      FROM block_events e JOIN blocks b ON b.id = e.block_id WHERE e.id > ? ORDER BY e.id LIMIT ?`).all(id, limit) as BlockEventRow[];
  }

  /** The block an alert created or extended (or the refusal it met), as decided right after its commit. */
  blockOf(alertId: number): BlockView | null {
    const r = this.#db.prepare(`SELECT e.kind, e.detail, b.id, b.ip, b.command, b.timeout, b.offense FROM block_events e JOIN blocks b ON b.id = e.block_id
      WHERE e.alert_id = ? AND e.kind IN ('created', 'extended', 'refused') ORDER BY e.id LIMIT 1`).get(alertId) as
      { kind: string; detail: string | null; id: number; ip: string | null; command: string; timeout: number; offense: number } | undefined;
    return r ? { id: r.id, ip: r.ip, command: r.command, what: r.kind, timeout: r.timeout, offense: r.offense, detail: r.detail } : null;
  }

  /** An earlier event of this kind on the block (an add that ran on the server and on hosts: told once). */
  blockHadEvent(blockId: number, kind: string, beforeId: number): boolean {
    return this.#db.prepare('SELECT 1 FROM block_events WHERE block_id = ? AND kind = ? AND id < ? LIMIT 1').get(blockId, kind, beforeId) !== undefined;
  }
}
