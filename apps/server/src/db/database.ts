// Opening the SQLite database: once per process, WAL, foreign keys, a busy timeout.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the database at `file`. WAL lets the API read while the pipeline
 * writes; `synchronous = NORMAL` in WAL mode keeps every committed transaction across a process
 * crash (SIGKILL), and only the last ones may be lost on a power cut.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('temp_store = MEMORY');
  // 64 MiB of page cache (the default is 2 MiB): the alert indexes stay in memory as the table grows.
  db.pragma('cache_size = -65536');
  return db;
}
