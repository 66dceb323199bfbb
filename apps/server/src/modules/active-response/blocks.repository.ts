// SQL for blocks: the rows of the state machine, the timer queries (earliest due), repeated-offender
// counts and grace periods. Script runs and block events are in ar-runs.repository.ts.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';

export type BlockStateName = 'pending' | 'active' | 'releasing' | 'released' | 'expired' | 'failed' | 'refused';

export interface BlockRow {
  id: number;
  ip: string | null;
  command: string;
  executable: string;
  protocol: 'ossec' | 'json';
  origin: 'alert' | 'manual';
  state: BlockStateName;
  ending: 'released' | 'expired' | null;
  rule_id: number | null;
  alert_id: number | null;
  user: string | null;
  location: string | null;
  filename: string | null;
  request: string | null;
  ar_index: number | null;
  timeout: number;
  offense: number;
  hits: number;
  created_at: number;
  created_by: string | null;
  updated_at: number;
  expires_at: number | null;
  verified: number | null;
  verified_at: number | null;
  drift: number;
  reason: string | null;
  released_at: number | null;
  released_by: string | null;
  release_reason: string | null;
  grace_until: number | null;
  /** 1: the server's own <command> script runs (add/delete); 0: enforced only by hosts' bouncers (block_deliveries). */
  server_script: number;
}

export type NewBlock = Omit<BlockRow, 'id' | 'updated_at' | 'ending' | 'verified' | 'verified_at' | 'drift' | 'released_at' | 'released_by' | 'release_reason' | 'grace_until' | 'hits' | 'server_script'> &
  Partial<Pick<BlockRow, 'hits' | 'server_script'>>;

/** Columns `update` may change; anything else is a programming error. */
const MUTABLE = new Set<keyof BlockRow>([
  'state', 'ending', 'request', 'timeout', 'offense', 'hits', 'expires_at', 'verified', 'verified_at', 'drift', 'reason',
  'released_at', 'released_by', 'release_reason', 'grace_until', 'user', 'location', 'filename', 'server_script',
]);

export interface BlockFilter {
  states?: BlockStateName[];
  ip?: string;
  command?: string;
  ruleId?: number;
  /** A host's name: blocks with a delivery to that host. */
  host?: string;
  /** Keyset paging: rows with a smaller id. */
  before?: number;
  limit: number;
}

/**
 * The reconciler's ended blocks (every 5 minutes, on the event loop). The other blocks of the same
 * address are found by address (`blocks_ip`): `+command` keeps SQLite (no statistics) from walking
 * every block of the command for each row instead — quadratic, 12 s at 2,600 ended blocks in the soak.
 */
export const RECENTLY_ENDED = `SELECT * FROM blocks b WHERE state IN ('expired', 'released') AND ip IS NOT NULL AND updated_at >= ?
  AND NOT EXISTS (SELECT 1 FROM blocks o WHERE o.ip = b.ip AND +o.command = b.command AND o.state IN ('pending', 'active', 'releasing'))
  AND id = (SELECT max(id) FROM blocks l WHERE l.ip = b.ip AND +l.command = b.command AND l.state IN ('expired', 'released'))
  ORDER BY updated_at DESC LIMIT ?`;

export const OPEN_STATES: readonly BlockStateName[] = ['pending', 'active'];

export class BlocksRepository {
  readonly #db: Db;
  readonly #insert: Statement;
  readonly #byId: Statement;
  readonly #open: Statement;
  readonly #nextDue: Statement;
  readonly #due: Statement;
  readonly #updates = new Map<string, Statement>();
  readonly #lists = new Map<string, Statement>();

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO blocks
      (ip, command, executable, protocol, origin, state, rule_id, alert_id, user, location, filename, request, ar_index,
       timeout, offense, hits, created_at, created_by, updated_at, expires_at, reason, server_script)
      VALUES (@ip, @command, @executable, @protocol, @origin, @state, @rule_id, @alert_id, @user, @location, @filename, @request,
       @ar_index, @timeout, @offense, @hits, @created_at, @created_by, @created_at, @expires_at, @reason, @server_script)`);
    this.#byId = db.prepare('SELECT * FROM blocks WHERE id = ?');
    this.#open = db.prepare("SELECT * FROM blocks WHERE command = ? AND ifnull(ip, '-') = ? AND state IN ('pending', 'active')");
    this.#nextDue = db.prepare("SELECT expires_at FROM blocks WHERE state = 'active' AND expires_at IS NOT NULL ORDER BY expires_at LIMIT 1").pluck();
    this.#due = db.prepare("SELECT * FROM blocks WHERE state = 'active' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?");
  }

  get db(): Db {
    return this.#db;
  }

  insert(b: NewBlock): number {
    return Number(this.#insert.run({ ...b, hits: b.hits ?? 1, server_script: b.server_script ?? 1 }).lastInsertRowid);
  }

  get(id: number): BlockRow | undefined {
    return this.#byId.get(id) as BlockRow | undefined;
  }

  /** The open (pending or active) block of a command for an address: execd's pending entry. */
  openFor(command: string, ip: string | null): BlockRow | undefined {
    return this.#open.get(command, ip ?? '-') as BlockRow | undefined;
  }

  update(id: number, changes: Partial<BlockRow>, now: number): void {
    const keys = Object.keys(changes).filter((k) => changes[k as keyof BlockRow] !== undefined) as (keyof BlockRow)[];
    for (const k of keys) if (!MUTABLE.has(k)) throw new Error(`blocks.${k} cannot be updated`);
    const sig = keys.join(',');
    let stmt = this.#updates.get(sig);
    if (!stmt) {
      stmt = this.#db.prepare(`UPDATE blocks SET ${keys.map((k) => `${k} = @${k}`).join(', ')}${keys.length ? ', ' : ''}updated_at = @updated_at WHERE id = @id`);
      this.#updates.set(sig, stmt);
    }
    stmt.run({ ...changes, updated_at: now, id });
  }

  /** The earliest `expires_at` of the active blocks, or null: the one timer waits for it. */
  nextDue(): number | null {
    return (this.#nextDue.get() as number | null) ?? null;
  }

  due(now: number, limit = 500): BlockRow[] {
    return this.#due.all(now, limit) as BlockRow[];
  }

  inStates(states: readonly BlockStateName[]): BlockRow[] {
    return this.#db.prepare(`SELECT * FROM blocks WHERE state IN (${states.map(() => '?').join(',')}) ORDER BY id`).all(...states) as BlockRow[];
  }

  /** Blocks that ended (expired or released) since `since`, whose address has no open block. */
  recentlyEnded(since: number, limit: number): BlockRow[] {
    return this.#db.prepare(RECENTLY_ENDED).all(since, limit) as BlockRow[];
  }

  /** A refusal of the same kind for the same command and address made since `since`, to count hits on. */
  recentRefusal(command: string, ip: string | null, reason: string, since: number): BlockRow | undefined {
    return this.#db.prepare(`SELECT * FROM blocks WHERE command = ? AND ifnull(ip, '-') = ? AND state = 'refused' AND reason = ? AND updated_at >= ?
      ORDER BY id DESC LIMIT 1`).get(command, ip ?? '-', reason, since) as BlockRow | undefined;
  }

  list(f: BlockFilter): BlockRow[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: f.limit };
    const add = (sql: string, name: string, value: unknown): void => {
      where.push(sql);
      params[name] = value;
    };
    if (f.before !== undefined) add('id < @before', 'before', f.before);
    if (f.ip !== undefined) add('ip = @ip', 'ip', f.ip);
    if (f.command !== undefined) add('command = @command', 'command', f.command);
    if (f.ruleId !== undefined) add('rule_id = @rule_id', 'rule_id', f.ruleId);
    if (f.host !== undefined) {
      add('id IN (SELECT d.block_id FROM block_deliveries d JOIN hosts h ON h.id = d.host_id WHERE h.name = @host)', 'host', f.host);
    }
    if (f.states && f.states.length > 0) {
      where.push(`state IN (${f.states.map((_, i) => `@s${i}`).join(',')})`);
      f.states.forEach((s, i) => (params[`s${i}`] = s));
    }
    const sql = `SELECT * FROM blocks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    let stmt = this.#lists.get(sql);
    if (!stmt) this.#lists.set(sql, (stmt = this.#db.prepare(sql)));
    return stmt.all(params) as BlockRow[];
  }

  forIp(ip: string, limit: number): BlockRow[] {
    return this.#db.prepare('SELECT * FROM blocks WHERE ip = ? ORDER BY id DESC LIMIT ?').all(ip, limit) as BlockRow[];
  }

  /** The stored repeated-offender count of a key, or undefined when it never ran. */
  offense(command: string, ip: string | null): number | undefined {
    return this.#db.prepare('SELECT count FROM ar_offenses WHERE command = ? AND ip = ?').pluck().get(command, ip ?? '-') as number | undefined;
  }

  setOffense(command: string, ip: string | null, count: number, now: number): void {
    this.#db.prepare(`INSERT INTO ar_offenses (command, ip, count, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (command, ip) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at`).run(command, ip ?? '-', count, now);
  }

  /** The grace period in force for an address at `now`, if any. */
  grace(ip: string, now: number): { until: number; set_by: string | null; block_id: number | null } | undefined {
    return this.#db.prepare('SELECT until, set_by, block_id FROM ar_grace WHERE ip = ? AND until > ?').get(ip, now) as
      | { until: number; set_by: string | null; block_id: number | null }
      | undefined;
  }

  setGrace(ip: string, until: number, blockId: number, by: string | null): void {
    this.#db.prepare(`INSERT INTO ar_grace (ip, until, block_id, set_by) VALUES (?, ?, ?, ?)
      ON CONFLICT (ip) DO UPDATE SET until = max(until, excluded.until), block_id = excluded.block_id, set_by = excluded.set_by`).run(ip, until, blockId, by);
  }
}
