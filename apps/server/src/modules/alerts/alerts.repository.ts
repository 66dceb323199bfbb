// SQL for alerts: the batched insert the pipeline uses, the keyset-paged list, one alert, and
// retention. Rows are turned into the API shape (`Alert` from @portcullis/shared) here.
import type { Alert, AlertQuery } from '@portcullis/shared';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';

/** An alert as the pipeline builds it, before it has an id. */
export interface AlertRecord {
  time: number;
  eventTime: number | null;
  ruleId: number;
  level: number;
  description: string;
  /** Group names in rule order. */
  groups: string[];
  decoder: string | null;
  srcip: string | null;
  user: string | null;
  hostname: string | null;
  programName: string | null;
  location: string;
  fullLog: string;
  fields: Record<string, string>;
}

interface AlertRow {
  id: number;
  time: number;
  event_time: number | null;
  rule_id: number;
  level: number;
  description: string;
  groups: string;
  decoder: string | null;
  srcip: string | null;
  user: string | null;
  hostname: string | null;
  program_name: string | null;
  location: string;
  full_log: string;
  fields: string;
}

export function encodeCursor(id: number): string {
  return Buffer.from(String(id)).toString('base64url');
}

/** The id a cursor stands for, or null when it is not one of ours. */
export function decodeCursor(cursor: string): number | null {
  const text = Buffer.from(cursor, 'base64url').toString();
  return /^\d{1,16}$/.test(text) ? Number(text) : null;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function recordToAlert(id: number, r: AlertRecord): Alert {
  return {
    id,
    time: iso(r.time),
    event_time: r.eventTime === null ? null : iso(r.eventTime),
    rule_id: r.ruleId,
    level: r.level,
    description: r.description,
    groups: r.groups,
    decoder: r.decoder,
    srcip: r.srcip,
    user: r.user,
    hostname: r.hostname,
    program_name: r.programName,
    location: r.location,
    full_log: r.fullLog,
    fields: r.fields,
  };
}

function rowToAlert(row: AlertRow): Alert {
  return recordToAlert(row.id, {
    time: row.time,
    eventTime: row.event_time,
    ruleId: row.rule_id,
    level: row.level,
    description: row.description,
    groups: row.groups.split(',').filter(Boolean),
    decoder: row.decoder,
    srcip: row.srcip,
    user: row.user,
    hostname: row.hostname,
    programName: row.program_name,
    location: row.location,
    fullLog: row.full_log,
    fields: JSON.parse(row.fields) as Record<string, string>,
  });
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class AlertsRepository {
  readonly #db: Db;
  readonly #insert: Statement;
  readonly #byId: Statement;
  readonly #lists = new Map<string, Statement>();

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO alerts
      (time, event_time, rule_id, level, description, groups, decoder, srcip, user, hostname, program_name, location, full_log, fields)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#byId = db.prepare('SELECT * FROM alerts WHERE id = ?');
  }

  /** Inserts one alert and returns its id. Callers batch these inside one transaction. */
  insert(r: AlertRecord): number {
    const groups = r.groups.length > 0 ? `,${r.groups.join(',')},` : '';
    const info = this.#insert.run(
      r.time, r.eventTime, r.ruleId, r.level, r.description, groups, r.decoder, r.srcip, r.user,
      r.hostname, r.programName, r.location, r.fullLog, JSON.stringify(r.fields),
    );
    return Number(info.lastInsertRowid);
  }

  get(id: number): Alert | null {
    const row = this.#byId.get(id) as AlertRow | undefined;
    return row ? rowToAlert(row) : null;
  }

  /** Newest first, keyset-paged on id. `before` is the id the previous page ended at. */
  list(q: Omit<AlertQuery, 'cursor' | 'from' | 'to' | 'limit'> & { before?: number; from?: number; to?: number; limit: number }): { items: Alert[]; next: string | null } {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: q.limit + 1 };
    const add = (sql: string, name: string, value: unknown): void => {
      where.push(sql);
      params[name] = value;
    };
    if (q.before !== undefined) add('id < @before', 'before', q.before);
    if (q.level_min !== undefined) add('level >= @level_min', 'level_min', q.level_min);
    if (q.rule_id !== undefined) add('rule_id = @rule_id', 'rule_id', q.rule_id);
    if (q.srcip !== undefined) add('srcip = @srcip', 'srcip', q.srcip);
    if (q.hostname !== undefined) add('hostname = @hostname', 'hostname', q.hostname);
    if (q.location !== undefined) add('location = @location', 'location', q.location);
    if (q.group !== undefined) add("groups LIKE @group ESCAPE '\\'", 'group', `%,${likeEscape(q.group)},%`);
    if (q.q !== undefined) add("full_log LIKE @q ESCAPE '\\'", 'q', `%${likeEscape(q.q)}%`);
    if (q.from !== undefined) add('time >= @from', 'from', q.from);
    if (q.to !== undefined) add('time < @to', 'to', q.to);
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    let stmt = this.#lists.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#lists.set(sql, stmt);
    }
    const rows = stmt.all(params) as AlertRow[];
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit).map(rowToAlert);
    return { items, next: more && items.length > 0 ? encodeCursor(items[items.length - 1]!.id) : null };
  }

  count(): number {
    return this.#db.prepare('SELECT COUNT(*) FROM alerts').pluck().get() as number;
  }

  /** Deletes up to `batch` alerts older than `beforeMs`; returns how many went. */
  pruneOlderThan(beforeMs: number, batch: number): number {
    return this.#db.prepare('DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE time < ? ORDER BY id LIMIT ?)').run(beforeMs, batch).changes;
  }

  /** Deletes up to `batch` of the oldest alerts beyond the newest `keep`; returns how many went. */
  pruneBeyond(keep: number, batch: number): number {
    const edge = this.#db.prepare('SELECT id FROM alerts ORDER BY id DESC LIMIT 1 OFFSET ?').pluck().get(keep) as number | undefined;
    if (edge === undefined) return 0;
    return this.#db.prepare('DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE id <= ? ORDER BY id LIMIT ?)').run(edge, batch).changes;
  }
}
