// The storage guard on a real database in a temp dir: a new database gives pruned pages back to the
// disk, and a failed write makes room (reserve and pruning) and says why until room is back.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { RESERVE_FILE, StorageGuard, isDiskFull } from '../../src/db/storage-guard.js';

let dir: string;
let db: Db;
const logged: string[] = [];
const log = { info: (_o: object, m: string) => logged.push(`info ${m}`), error: (_o: object, m: string) => logged.push(`error ${m}`) };
const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'portcullis-guard-'));
  db = openDatabase(path.join(dir, 'portcullis.db'));
  logged.length = 0;
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('storage guard', () => {
  it('recognises the errors of a full disk and nothing else', () => {
    expect(isDiskFull(full)).toBe(true);
    expect(isDiskFull(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(false);
    expect(isDiskFull(new Error('plain'))).toBe(false);
  });

  it('on a full disk: frees the reserve, prunes by retention and gives the pages back, logs once', () => {
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2); // incremental, on a new database
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)');
    const insert = db.prepare('INSERT INTO t (b) VALUES (randomblob(4000))');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run();
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const dbFile = path.join(dir, 'portcullis.db');
    const before = statSync(dbFile).size;

    let now = 0;
    const guard = new StorageGuard(db, dir, log, { reserveBytes: 64 * 1024, now: () => now });
    guard.start();
    expect(existsSync(path.join(dir, RESERVE_FILE))).toBe(true);
    guard.addRelief(() => db.prepare('DELETE FROM t WHERE id <= 1900').run().changes);
    guard.diskFull(full, 'storing alerts');

    expect(existsSync(path.join(dir, RESERVE_FILE))).toBe(false);
    expect(statSync(dbFile).size).toBeLessThan(before / 4);
    expect(logged.filter((l) => l.startsWith('error DATA DISK FULL'))).toHaveLength(1);
    expect(logged).toContain('info data disk full: pruned 1900 alerts as the retention settings allow');
    guard.diskFull(full, 'storing alerts');
    expect(logged.filter((l) => l.startsWith('error DATA DISK FULL'))).toHaveLength(1); // rate-limited

    // This disk has room: a probe writes the reserve back and health is ok again.
    expect(guard.health()).toEqual({ ok: true, error: null });
    expect(statSync(path.join(dir, RESERVE_FILE)).size).toBe(64 * 1024);
    // Probes are at most one a second: a writer refused in the same second is not let in yet.
    guard.diskFull(full, 'storing alerts');
    expect(guard.recovered()).toBe(false);
    now += 1000;
    expect(guard.recovered()).toBe(true);
  });
});
