// What a full data disk does to the server, made loud and survivable.
//
// A reserve file of a few MiB is written in the data dir at start. When a write fails because the
// disk is full, the database is marked degraded (GET /api/health: database.ok false, with the
// reason), an error is logged (at most once a minute), and the reserve is deleted: the space it
// held is what active-response releases and other small state writes commit into while the disk
// stays full. Bulk writers (the pipeline's alerts) stay out of that space: they are refused until
// the reserve can be written again, which is the proof that room is back; then health is ok again.
//
// Why a file beside the database and not space kept inside SQLite: with WAL every commit appends
// to the -wal file and a checkpoint may have to grow the main file, so free pages inside the
// database do not guarantee that a commit can be written; free bytes on the filesystem do.
import { closeSync, fsyncSync, openSync, rmSync, statSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../errors.js';
import type { Db } from './database.js';

export const RESERVE_FILE = 'disk-reserve';
/** Room for a few hundred block releases (each a handful of pages in the WAL). */
export const RESERVE_BYTES = 4 * 1024 * 1024;
const LOG_EVERY_MS = 60_000;
/** While full, how often a bulk writer may try to write the reserve again. */
const PROBE_EVERY_MS = 1_000;

export interface DatabaseHealth {
  ok: boolean;
  /** Why not ok, in words; null when ok. */
  error: string | null;
}

export interface StorageLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Lines refused because the data disk is full: the source keeps its position and retries. */
export class StorageFullError extends DomainError {
  constructor(reason: string) {
    super('STORAGE_FULL', `not stored, the data disk is full: ${reason}`, 503);
  }
}

/** Whether a write failed for want of space (SQLite's full or I/O error, or the errno beneath it). */
export function isDiskFull(err: unknown): boolean {
  if (err instanceof StorageFullError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code === 'ENOSPC' || code === 'EDQUOT';
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return `${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`;
}

/** Frees space in the database when the disk is full (retention's pruning); returns rows removed. */
export type Relief = () => number;

export class StorageGuard {
  readonly #db: Db;
  readonly #reliefs: Relief[] = [];
  readonly #dataDir: string;
  readonly #reservePath: string;
  readonly #reserveBytes: number;
  readonly #log: StorageLogger;
  readonly #now: () => number;
  #error: string | null = null;
  #lastLogged = -Infinity;
  #suppressed = 0;
  #lastProbe = -Infinity;

  constructor(db: Db, dataDir: string, log: StorageLogger, options: { reserveBytes?: number; now?: () => number } = {}) {
    this.#db = db;
    this.#dataDir = dataDir;
    this.#reservePath = join(dataDir, RESERVE_FILE);
    this.#reserveBytes = options.reserveBytes ?? RESERVE_BYTES;
    this.#log = log;
    this.#now = options.now ?? Date.now;
  }

  get reservePath(): string {
    return this.#reservePath;
  }

  /** True while the last bulk write failed for want of space and room has not come back. */
  get full(): boolean {
    return this.#error !== null;
  }

  /** Full or not; while full, first looks whether room is back (cheap: at most one probe a second). */
  health(): DatabaseHealth {
    this.recovered();
    return { ok: this.#error === null, error: this.#error };
  }

  /** At start: write the reserve, or start degraded when there is no room for it. */
  start(): void {
    if (!this.ensureReserve()) this.diskFull(Object.assign(new Error(`no room for the ${this.#reserveBytes} bytes of ${this.#reservePath}`), { code: 'ENOSPC' }), 'at start');
  }

  /** Runs when a write fails for want of space, before the writer is refused (prune by retention). */
  addRelief(relief: Relief): void {
    this.#reliefs.push(relief);
  }

  /** Whether the reserve is in place (writing it if it is not). False: the disk has no room for it. */
  ensureReserve(): boolean {
    try {
      if (statSync(this.#reservePath).size >= this.#reserveBytes) return true;
    } catch {
      // not there: write it
    }
    let fd: number | null = null;
    try {
      fd = openSync(this.#reservePath, 'w', 0o600);
      // Real zeros, not a sparse file: the blocks must be taken now to be given back later.
      const chunk = Buffer.alloc(Math.min(this.#reserveBytes, 1024 * 1024));
      for (let written = 0; written < this.#reserveBytes; ) {
        written += writeSync(fd, chunk, 0, Math.min(chunk.length, this.#reserveBytes - written));
      }
      fsyncSync(fd);
      const done = fd;
      fd = null;
      closeSync(done);
      return true;
    } catch (err) {
      if (fd !== null) closeSync(fd);
      rmSync(this.#reservePath, { force: true });
      if (!isDiskFull(err)) this.#log.error({ err, file: this.#reservePath }, `cannot write the disk reserve ${this.#reservePath}: ${describe(err)}`);
      return false;
    }
  }

  /**
   * A write failed for want of space: say so (health, a rate-limited error in the log), give the
   * reserve's space to the small writes that must still commit (releases, state changes), and
   * prune what retention allows so the pages can be reused (and, in a database created with
   * incremental auto-vacuum, given back to the disk).
   */
  diskFull(err: unknown, what: string): void {
    const reason = `${what}: ${describe(err)}`;
    const first = this.#error === null;
    this.#error = `the data disk is full; ${reason}. Lines wait, unread, until there is room again; free space on the data disk`;
    rmSync(this.#reservePath, { force: true });
    this.#relieve();
    const now = this.#now();
    if (first || now - this.#lastLogged >= LOG_EVERY_MS) {
      const more = this.#suppressed > 0 ? ` (${this.#suppressed} more since the last report)` : '';
      this.#log.error({ err, reason }, `DATA DISK FULL: ${reason}. Alerts are not stored and active response does not run on new lines until there is room${more}`);
      this.#lastLogged = now;
      this.#suppressed = 0;
    } else this.#suppressed++;
  }

  /**
   * For a bulk writer while the disk is full: true once room is back — the reserve is in place
   * and as much again is free for the writer — which also turns health back to ok. The free
   * space the reserve's deletion left does not count: that is for releases.
   */
  recovered(): boolean {
    if (this.#error === null) return true;
    const now = this.#now();
    if (now - this.#lastProbe < PROBE_EVERY_MS) return false;
    this.#lastProbe = now;
    const reserve = this.#reserveSize();
    if (this.#freeBytes() + reserve < 2 * this.#reserveBytes || !this.ensureReserve()) return false;
    this.#error = null;
    this.#log.info({}, 'the data disk has room again: storing lines again');
    return true;
  }

  #reserveSize(): number {
    try {
      return statSync(this.#reservePath).size;
    } catch {
      return 0;
    }
  }

  /** Bytes an unprivileged writer may still use on the data disk (Infinity when it cannot be known). */
  #freeBytes(): number {
    try {
      const st = statfsSync(this.#dataDir);
      return st.bavail * st.bsize;
    } catch {
      return Infinity;
    }
  }

  #relieve(): void {
    let removed = 0;
    try {
      for (const relief of this.#reliefs) removed += relief();
      if (removed > 0) {
        this.#db.pragma('incremental_vacuum');
        this.#db.pragma('wal_checkpoint(PASSIVE)');
      }
    } catch (err) {
      this.#log.error({ err }, `pruning to make room failed: ${describe(err)}`);
    }
    if (removed > 0) this.#log.info({ removed }, `data disk full: pruned ${removed} alerts as the retention settings allow`);
  }
}
