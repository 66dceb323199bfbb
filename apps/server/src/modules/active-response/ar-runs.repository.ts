// SQL for what happens around a block: each script run (stored before it starts, completed after),
// the block's events with their actors, and the alerts of one address for its timeline.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';

export type RunAction = 'add' | 'delete' | 'check';

export interface RunRow {
  id: number;
  block_id: number;
  action: RunAction;
  command: string;
  executable: string;
  protocol: string;
  argv: string;
  stdin: string | null;
  started_at: number;
  duration_ms: number | null;
  exit_code: number | null;
  signal: string | null;
  timed_out: number;
  stdout: string;
  stderr: string;
  error: string | null;
  /** 1 when the server stopped before the run completed (marked at the next start). */
  interrupted: number;
}

export interface NewRun {
  blockId: number;
  action: RunAction;
  command: string;
  executable: string;
  protocol: string;
  argv: string[];
  stdin: string | null;
  startedAt: number;
}

export interface RunOutcome {
  durationMs: number;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  error: string | null;
}

export interface EventRow {
  id: number;
  block_id: number;
  time: number;
  kind: string;
  actor: string | null;
  alert_id: number | null;
  detail: string | null;
}

export interface IpAlertRow {
  id: number;
  time: number;
  rule_id: number;
  level: number;
  description: string;
  full_log: string;
  location: string;
  /** The registered host that sent the line; null for the server's own logs. */
  host: string | null;
}

export class ArRunsRepository {
  readonly #db: Db;
  readonly #insertRun: Statement;
  readonly #finishRun: Statement;
  readonly #insertEvent: Statement;

  constructor(db: Db) {
    this.#db = db;
    this.#insertRun = db.prepare(`INSERT INTO ar_runs (block_id, action, command, executable, protocol, argv, stdin, started_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#finishRun = db.prepare(`UPDATE ar_runs SET duration_ms = ?, exit_code = ?, signal = ?, timed_out = ?, stdout = ?, stderr = ?, error = ?
      WHERE id = ?`);
    this.#insertEvent = db.prepare('INSERT INTO block_events (block_id, time, kind, actor, alert_id, detail) VALUES (?, ?, ?, ?, ?, ?)');
  }

  insertRun(r: NewRun): number {
    return Number(this.#insertRun.run(r.blockId, r.action, r.command, r.executable, r.protocol, JSON.stringify(r.argv), r.stdin, r.startedAt).lastInsertRowid);
  }

  finishRun(id: number, o: RunOutcome): void {
    this.#finishRun.run(Math.round(o.durationMs), o.exitCode, o.signal, o.timedOut ? 1 : 0, o.stdout, o.stderr, o.error, id);
  }

  /**
   * Marks every run stored as started but never completed: the process that ran it is gone, so it
   * will never complete. Call at start, before any new run. Returns the runs marked.
   */
  markInterrupted(): RunRow[] {
    const rows = this.#db.prepare('SELECT * FROM ar_runs WHERE duration_ms IS NULL AND interrupted = 0 ORDER BY id').all() as RunRow[];
    const mark = this.#db.prepare("UPDATE ar_runs SET interrupted = 1, error = coalesce(error, 'interrupted: the server stopped before the script ended') WHERE id = ?");
    for (const r of rows) mark.run(r.id);
    return rows;
  }

  runsOf(blockId: number): RunRow[] {
    return this.#db.prepare('SELECT * FROM ar_runs WHERE block_id = ? ORDER BY id').all(blockId) as RunRow[];
  }

  runsOfBlocks(blockIds: number[]): RunRow[] {
    if (blockIds.length === 0) return [];
    return this.#db.prepare(`SELECT * FROM ar_runs WHERE block_id IN (${blockIds.map(() => '?').join(',')}) ORDER BY id`).all(...blockIds) as RunRow[];
  }

  event(blockId: number, time: number, kind: string, actor: string | null, detail: string | null = null, alertId: number | null = null): void {
    this.#insertEvent.run(blockId, time, kind, actor, alertId, detail);
  }

  eventsOfBlocks(blockIds: number[]): EventRow[] {
    if (blockIds.length === 0) return [];
    return this.#db.prepare(`SELECT * FROM block_events WHERE block_id IN (${blockIds.map(() => '?').join(',')}) ORDER BY id`).all(...blockIds) as EventRow[];
  }

  /** The newest alerts of an address (the alerts table belongs to the alerts module; read only). */
  alertsOf(ip: string, limit: number): IpAlertRow[] {
    return this.#db
      .prepare('SELECT id, time, rule_id, level, description, full_log, location, host FROM alerts WHERE srcip = ? ORDER BY id DESC LIMIT ?')
      .all(ip, limit) as IpAlertRow[];
  }

  alertSummary(ip: string): { count: number; first: number | null; last: number | null } {
    return this.#db.prepare('SELECT count(*) AS count, min(time) AS first, max(time) AS last FROM alerts WHERE srcip = ?').get(ip) as {
      count: number;
      first: number | null;
      last: number | null;
    };
  }
}
