// The overrides admins set in the dashboard, for `logtest` and `replay`: read (read-only) from the
// server's database when there is one, so a line gets the level the server would give it. No
// database, or one from before overrides existed: none.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { OssecConfig } from '../config/ossec-config.js';
import { resolveServerConfig } from '../config/server-config.js';
import { toSpec, type OverrideRow } from '../modules/rules/overrides.repository.js';
import type { OverrideSpec } from '../pipeline/rule-overrides.js';

/** `cfg`: the config at `configPath`, as the command parsed it (not read and parsed again). */
export function storedOverrides(configPath: string, data?: string, cfg?: OssecConfig): { overrides: OverrideSpec[]; db: string | null } {
  let dbPath: string;
  try {
    dbPath = resolveServerConfig({ config: configPath, data }, undefined, undefined, cfg).dbPath;
  } catch {
    return { overrides: [], db: null };
  }
  if (!existsSync(dbPath)) return { overrides: [], db: null };
  // Loaded only when there is a database to read: the native module costs a replay's start-up.
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rule_overrides'").get();
    if (!table) return { overrides: [], db: null };
    return { overrides: (db.prepare('SELECT * FROM rule_overrides ORDER BY rule_id').all() as OverrideRow[]).map(toSpec), db: dbPath };
  } finally {
    db.close();
  }
}
