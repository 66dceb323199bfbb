// SQL for alerts: the batched insert the pipeline uses, the keyset-paged list, one alert, the stats
// aggregations, and retention. Rows are turned into the API shape (`Alert` from @portcullis/shared)
// here. The read side (`AlertQueries`) also runs in the reader threads (workers/reader.worker.ts),
// on read-only connections of their own.
import type { Alert, AlertQuery } from '@portcullis/shared';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';
import { AlertCounts, countedStats, type CountedRow } from './alert-counts.js';

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
  /** The registered host the line came from (authenticated), or null for the server's own logs. */
  host: string | null;
}

export interface AlertRow {
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
  host: string | null;
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
    host: r.host,
  };
}

function rowToAlert(row: AlertRow): Alert {
  return recordToAlert(row.id, rowToRecord(row));
}

/** A stored row as the pipeline's record (what consumers of committed alerts get). */
export function rowToRecord(row: AlertRow): AlertRecord {
  return {
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
    host: row.host,
  };
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The list's filters with times and the cursor turned into keys. */
export type AlertListQuery = Omit<AlertQuery, 'cursor' | 'from' | 'to' | 'limit'> & { before?: number; from?: number; to?: number; limit: number };

/** A stats range: times in ms, `from` inclusive, `to` exclusive; buckets of `bucketMs`. */
export interface StatsRange {
  from: number;
  to: number;
  bucketMs: number;
  top: number;
}

/** The stats aggregations as SQL gives them (`AlertsService` shapes them into `Stats`). */
export interface StatsRows {
  buckets: Array<{ t: number; level: number; count: number }>;
  topSources: Array<{ srcip: string; count: number }>;
  topRules: Array<{ rule_id: number; description: string; level: number; count: number }>;
}

export interface AlertQueriesOptions {
  /**
   * An SQL condition put first in every WHERE of the list and the stats, so it is evaluated for
   * each row visited: the reader threads put a call into JavaScript there (now and then), which
   * is where terminating the thread stops a long scan (V8 cannot stop it inside SQLite).
   */
  guard?: string;
}

/** The read side: the keyset-paged list, the stats aggregations and the count, over any connection. */
export class AlertQueries {
  readonly #db: Db;
  readonly #guard: string[];
  readonly #statements = new Map<string, Statement>();

  constructor(db: Db, options: AlertQueriesOptions = {}) {
    this.#db = db;
    this.#guard = options.guard ? [options.guard] : [];
  }

  #prepare(sql: string): Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  #where(terms: string[]): string {
    const all = [...this.#guard, ...terms];
    return all.length ? `WHERE ${all.join(' AND ')}` : '';
  }

  /** Newest first, keyset-paged on id. `before` is the id the previous page ended at. */
  list(q: AlertListQuery): { items: Alert[]; next: string | null } {
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
    if (q.host !== undefined) add('host = @host', 'host', q.host);
    if (q.location !== undefined) add('location = @location', 'location', q.location);
    if (q.group !== undefined) add("groups LIKE @group ESCAPE '\\'", 'group', `%,${likeEscape(q.group)},%`);
    if (q.q !== undefined) add("full_log LIKE @q ESCAPE '\\'", 'q', `%${likeEscape(q.q)}%`);
    if (q.from !== undefined) add('time >= @from', 'from', q.from);
    if (q.to !== undefined) add('time < @to', 'to', q.to);
    const rows = this.#prepare(`SELECT * FROM alerts ${this.#where(where)} ORDER BY id DESC LIMIT @limit`).all(params) as AlertRow[];
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit).map(rowToAlert);
    return { items, next: more && items.length > 0 ? encodeCursor(items[items.length - 1]!.id) : null };
  }

  /**
   * Alerts per bucket and level, the top sources and the top rules in the range: from the counts
   * per slot (alert-counts.ts) for the slots inside it, from the alerts for the rest.
   */
  stats(range: StatsRange): StatsRows {
    const sql = countedStats((terms) => this.#where(terms), range);
    return {
      buckets: this.#prepare(sql.buckets).all(sql.params) as StatsRows['buckets'],
      topSources: this.#prepare(sql.topSources).all(sql.params) as StatsRows['topSources'],
      topRules: this.#prepare(sql.topRules).all(sql.params) as StatsRows['topRules'],
    };
  }

  /** The stats from the alerts themselves (every alert in the range is read). */
  uncountedStats(range: StatsRange): StatsRows {
    const params = { from: range.from, to: range.to, b: range.bucketMs, top: range.top };
    const inRange = this.#where(['time >= @from', 'time < @to']);
    return {
      buckets: this.#prepare(`SELECT time - time % @b AS t, level, COUNT(*) AS count FROM alerts ${inRange} GROUP BY t, level ORDER BY t, level`)
        .all(params) as StatsRows['buckets'],
      topSources: this.#prepare(`SELECT srcip, COUNT(*) AS count FROM alerts ${inRange} AND srcip IS NOT NULL GROUP BY srcip ORDER BY count DESC, srcip LIMIT @top`)
        .all(params) as StatsRows['topSources'],
      topRules: this.#prepare(`SELECT rule_id, MAX(description) AS description, MAX(level) AS level, COUNT(*) AS count FROM alerts
        ${inRange} GROUP BY rule_id ORDER BY count DESC, rule_id LIMIT @top`).all(params) as StatsRows['topRules'],
    };
  }

  count(): number {
    return this.#prepare('SELECT COUNT(*) FROM alerts').pluck().get() as number;
  }
}

/**
 * Retention's choice of what to delete (their query plans are tested: they run every few seconds):
 * the columns the counts per slot need, then the rows go by id (PRUNE_IDS).
 */
export const PRUNE_OLDER_THAN = 'SELECT id, time, rule_id, level, srcip FROM alerts WHERE time < ? ORDER BY time LIMIT ?';
export const PRUNE_OLDEST = 'SELECT id, time, rule_id, level, srcip FROM alerts ORDER BY id LIMIT ?';
const PRUNE_IDS = 'DELETE FROM alerts WHERE id IN (SELECT value FROM json_each(?))';

export class AlertsRepository {
  readonly #db: Db;
  readonly #insert: Statement;
  readonly #byId: Statement;
  readonly #reads: AlertQueries;
  readonly #counts: AlertCounts;
  readonly #pruneOlderThan: Statement;
  readonly #pruneOldest: Statement;
  readonly #pruneIds: Statement;
  /** Alerts stored, once counted: kept by insert and the prunes (retention re-counts now and then). */
  #stored: number | null = null;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO alerts
      (time, event_time, rule_id, level, description, groups, decoder, srcip, user, hostname, program_name, location, full_log, fields, host)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#byId = db.prepare('SELECT * FROM alerts WHERE id = ?');
    this.#reads = new AlertQueries(db);
    this.#counts = new AlertCounts(db);
    this.#pruneOlderThan = db.prepare(PRUNE_OLDER_THAN);
    this.#pruneOldest = db.prepare(PRUNE_OLDEST);
    this.#pruneIds = db.prepare(PRUNE_IDS);
  }

  /** Inserts one alert and returns its id (`insertAll` for a batch). */
  insert(r: AlertRecord): number {
    return this.insertAll([r])[0]!;
  }

  /**
   * Inserts alerts in order and counts them per slot (alert-counts.ts); returns their ids. Callers
   * batch them inside one transaction (else this makes one).
   */
  insertAll(records: readonly AlertRecord[]): number[] {
    if (!this.#db.inTransaction) return this.#db.transaction(() => this.insertAll(records))();
    const ids = new Array<number>(records.length);
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const groups = r.groups.length > 0 ? `,${r.groups.join(',')},` : '';
      const info = this.#insert.run(
        r.time, r.eventTime, r.ruleId, r.level, r.description, groups, r.decoder, r.srcip, r.user,
        r.hostname, r.programName, r.location, r.fullLog, JSON.stringify(r.fields), r.host,
      );
      ids[i] = Number(info.lastInsertRowid);
    }
    this.#counts.add(records);
    if (this.#stored !== null) this.#stored += records.length;
    return ids;
  }

  get(id: number): Alert | null {
    const row = this.#byId.get(id) as AlertRow | undefined;
    return row ? rowToAlert(row) : null;
  }

  /**
   * On the event loop: callers must keep to the lists an index answers at once (see
   * AlertsService.list); the others go to a reader thread.
   */
  list(q: AlertListQuery): { items: Alert[]; next: string | null } {
    return this.#reads.list(q);
  }

  /** A scan of an index: tests and tools only; the API reads it in a reader thread. */
  count(): number {
    return this.#reads.count();
  }

  /**
   * Alerts stored: counted once (COUNT(*) walks the narrowest index, ~10–25 ms at 1M rows), then
   * kept by insert and the prunes, so retention can ask every few seconds for nothing.
   */
  stored(): number {
    return (this.#stored ??= this.count());
  }

  /** Counts again (a rolled-back insert left the kept count high). */
  recount(): number {
    return (this.#stored = this.count());
  }

  #deleted(n: number): number {
    if (this.#stored !== null) this.#stored = Math.max(0, this.#stored - n);
    return n;
  }

  /**
   * Deletes up to `batch` alerts older than `beforeMs`; returns how many went. Ordered by time so
   * the time index answers it: ordered by id, SQLite (with no statistics) walked the whole table
   * in id order looking for old rows, at every check, when there were none (the soak's stalls).
   */
  pruneOlderThan(beforeMs: number, batch: number): number {
    return this.#prune(this.#pruneOlderThan, beforeMs, batch);
  }

  /**
   * Deletes up to `batch` of the oldest alerts beyond the newest `keep`; returns how many went.
   * The count is the kept one: finding the edge with OFFSET `keep` walked `keep` entries on every
   * batch (~150 ms at 1M, on the event loop).
   */
  pruneBeyond(keep: number, batch: number): number {
    const excess = this.stored() - keep;
    if (excess <= 0) return 0;
    return this.#prune(this.#pruneOldest, Math.min(excess, batch));
  }

  /** Deletes the rows `choose` selects, and their counts, in one transaction; returns how many went. */
  #prune(choose: Statement, ...params: number[]): number {
    return this.#db.transaction(() => {
      const rows = choose.all(...params) as Array<CountedRow & { id: number }>;
      if (rows.length === 0) return 0;
      this.#counts.remove(rows);
      return this.#deleted(this.#pruneIds.run(JSON.stringify(rows.map((r) => r.id))).changes);
    })();
  }

}
