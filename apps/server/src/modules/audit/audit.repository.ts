// The audit trail: every state change, who made it, from where, before and after.
import type { AuditEntry, AuditQuery } from '@portcullis/shared';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';
import { decodeCursor, encodeCursor, iso } from '../alerts/alerts.repository.js';
import { BadRequestError } from '../../errors.js';

export interface AuditInput {
  actor: string | null;
  sourceIp: string | null;
  action: string;
  target?: string | null;
  before?: unknown;
  after?: unknown;
}

interface AuditRow {
  id: number;
  time: number;
  actor: string | null;
  source_ip: string | null;
  action: string;
  target: string | null;
  before: string | null;
  after: string | null;
}

export class AuditRepository {
  readonly #db: Db;
  readonly #insert: Statement;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO audit (time, actor, source_ip, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  /** Records one change. Call it inside the transaction that makes the change. */
  record(e: AuditInput): void {
    const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
    this.#insert.run(Date.now(), e.actor, e.sourceIp, e.action, e.target ?? null, json(e.before), json(e.after));
  }

  list(q: AuditQuery): { items: AuditEntry[]; next: string | null } {
    const limit = q.limit ?? 100;
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: limit + 1 };
    if (q.cursor !== undefined) {
      const id = decodeCursor(q.cursor);
      if (id === null) throw new BadRequestError('cursor is not one this server gave', 'BAD_CURSOR');
      where.push('id < @before');
      params.before = id;
    }
    if (q.action !== undefined) {
      where.push('action = @action');
      params.action = q.action;
    }
    if (q.actor !== undefined) {
      where.push('actor = @actor');
      params.actor = q.actor;
    }
    const rows = this.#db
      .prepare(`SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`)
      .all(params) as AuditRow[];
    const items = rows.slice(0, limit).map((r) => ({
      id: r.id,
      time: iso(r.time),
      actor: r.actor,
      source_ip: r.source_ip,
      action: r.action,
      target: r.target,
      before: r.before === null ? null : (JSON.parse(r.before) as unknown),
      after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    }));
    return { items, next: rows.length > limit && items.length > 0 ? encodeCursor(items[items.length - 1]!.id) : null };
  }
}
