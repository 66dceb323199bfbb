// Numbered SQL migrations from `migrations/`, forward only, each applied in its own transaction.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './database.js';

export class MigrationError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`migration ${file} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** `NNNN_name.sql` files in order; two files with one number are an error. */
export function readMigrations(dir: string): Migration[] {
  const out: Migration[] = [];
  for (const name of readdirSync(dir).sort()) {
    const m = /^(\d+)_[\w-]+\.sql$/.exec(name);
    if (!m) continue;
    const version = Number(m[1]);
    if (out.some((x) => x.version === version)) throw new MigrationError(name, new Error(`two migrations are numbered ${version}`));
    out.push({ version, name, sql: readFileSync(join(dir, name), 'utf8') });
  }
  return out;
}

/**
 * Applies the migrations the database has not seen yet and returns their names. A failing one
 * is rolled back and thrown as MigrationError: the server must not start on a half-migrated schema.
 */
export function migrate(db: Db, dir: string): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: string[] = [];
  for (const m of readMigrations(dir)) {
    if (done.has(m.version)) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        record.run(m.version, m.name, Date.now());
      })();
    } catch (err) {
      throw new MigrationError(m.name, err);
    }
    applied.push(m.name);
  }
  return applied;
}
