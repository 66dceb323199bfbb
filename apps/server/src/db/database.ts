// Opening the SQLite database: once per process, WAL, foreign keys, a busy timeout.
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDir, ensurePrivateFile } from './private-files.js';

export type Db = Database.Database;

/** The data dir cannot be used (it is someone else's folder). */
export class DataDirError extends Error {}

/**
 * The data dir is made private (0700, its files 0600) at every start, so it must be Portcullis's
 * own: a folder that does not exist yet, is empty, or already holds the database. A `data_dir` of
 * `/var/lib` or a home directory would otherwise lose its permissions for everything in it.
 */
function assertOwnDataDir(dir: string, dbName: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // missing: created private below
  }
  if (names.length === 0 || names.includes(dbName)) return;
  throw new DataDirError(
    `the data dir ${dir} already holds other files (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}) and no ${dbName}: ` +
      'Portcullis makes its data dir private to its owner (0700), so give it a folder of its own (e.g. /var/lib/portcullis) with --data or <data_dir>',
  );
}

/**
 * Opens (creating if needed) the database at `file`, its folder 0700 and its files 0600. WAL lets
 * the API read while the pipeline writes; `synchronous = NORMAL` in WAL mode keeps every committed
 * transaction across a process crash (SIGKILL), and only the last ones may be lost on a power cut.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') {
    assertOwnDataDir(dirname(file), basename(file));
    // Private from the start: the default umask would leave the hashes and log lines world-readable.
    ensurePrivateDir(dirname(file));
    ensurePrivateFile(file);
    for (const side of [`${file}-wal`, `${file}-shm`]) if (existsSync(side)) ensurePrivateFile(side);
  }
  return connectDatabase(file);
}

/**
 * Another connection to a database `openDatabase` has prepared (the ingest thread's). It must not
 * touch the files itself: opening and closing any descriptor of the database or its -shm in a
 * process drops every POSIX lock the process holds on that file, and a reader in another process
 * that then finds no lock on the -shm truncates it under this process's mapping (SIGBUS).
 */
export function connectDatabase(file: string): Db {
  const db = new Database(file, { fileMustExist: file !== ':memory:' });
  // Takes effect only on a new database (before its first table): pages freed by pruning can then
  // be given back to the disk (PRAGMA incremental_vacuum) when the disk is full.
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  // 64 MiB of page cache (the default is 2 MiB): the alert indexes stay in memory as the table grows.
  db.pragma('cache_size = -65536');
  return db;
}
