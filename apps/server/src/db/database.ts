// Opening the SQLite database: once per process, WAL, foreign keys, a busy timeout.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDir, ensurePrivateFile } from './private-files.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the database at `file`, its folder 0700 and its files 0600. WAL lets
 * the API read while the pipeline writes; `synchronous = NORMAL` in WAL mode keeps every committed
 * transaction across a process crash (SIGKILL), and only the last ones may be lost on a power cut.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') {
    // Private from the start: the default umask would leave the hashes and log lines world-readable.
    ensurePrivateDir(dirname(file));
    ensurePrivateFile(file);
    for (const side of [`${file}-wal`, `${file}-shm`]) if (existsSync(side)) ensurePrivateFile(side);
  }
  const db = new Database(file);
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
