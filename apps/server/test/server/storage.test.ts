// The database: migrations on an empty database (and a failing one stopping the start), and
// retention by age and by row count.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { MigrationError, migrate } from '../../src/db/migrate.js';
import { AlertsRepository, PRUNE_OLDER_THAN, PRUNE_OLDEST, type AlertRecord } from '../../src/modules/alerts/alerts.repository.js';
import { migrationsDir } from '../../src/paths.js';
import { pruneAll, pruneBatch } from '../../src/plugins/retention.js';
import { makeApp, makeEnv, syslogLine, waitFor } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'portcullis-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tables = (db: Db): string[] => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];

describe('migrations', () => {
  it('build the whole schema on an empty database, in WAL mode, and run once', () => {
    const db = openDatabase(path.join(dir, 'new', 'p.db'));
    try {
      const applied = migrate(db, migrationsDir);
      expect(applied.slice(0, 2)).toEqual(['0001_alerts.sql', '0002_accounts.sql']);
      expect(tables(db)).toEqual(expect.arrayContaining(['alerts', 'api_tokens', 'audit', 'file_positions', 'schema_migrations', 'sessions', 'settings', 'source_cursors', 'users']));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(migrate(db, migrationsDir)).toEqual([]);
      const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM alerts WHERE srcip = ? ORDER BY id DESC LIMIT 10').all('x') as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join(' ')).toContain('alerts_srcip');
    } finally {
      db.close();
    }
  });

  it('roll back a failing migration and stop with its name', () => {
    const mdir = path.join(dir, 'migrations');
    mkdirSync(mdir);
    writeFileSync(path.join(mdir, '0001_ok.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(path.join(mdir, '0002_bad.sql'), 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);');
    const db = openDatabase(path.join(dir, 'data', 'p.db'));
    try {
      expect(() => migrate(db, mdir)).toThrow(MigrationError);
      expect(() => migrate(db, mdir)).toThrow(/0002_bad\.sql/);
      expect(tables(db)).toContain('a');
      expect(tables(db)).not.toContain('b');
    } finally {
      db.close();
    }
  });
});

describe('retention', () => {
  const record = (time: number): AlertRecord => ({
    time, eventTime: null, ruleId: 1, level: 3, description: 'd', groups: ['g'], decoder: null, srcip: null, user: null,
    hostname: null, programName: null, location: 'x', fullLog: 'line', fields: {}, host: null,
  });

  it('prunes by age, then keeps at most the newest N', async () => {
    const db = openDatabase(path.join(dir, 'p.db'));
    try {
      migrate(db, migrationsDir);
      const repo = new AlertsRepository(db);
      const now = Date.parse('2026-06-01T00:00:00Z');
      db.transaction(() => {
        for (let i = 0; i < 12_000; i++) repo.insert(record(now - (12_000 - i) * 60_000)); // one a minute, the last 200 hours
      })();
      // 7 days = 10,080 minutes: the 1,920 older alerts go, in batches.
      expect(pruneBatch(repo, 7, 0, now, 1000)).toBe(1000);
      expect(pruneBatch(repo, 7, 0, now, 1000)).toBe(920);
      expect(repo.count()).toBe(10_080);
      expect(pruneBatch(repo, 7, 6000, now, 5000)).toBe(4080);
      const kept = repo.list({ limit: 1000 }).items;
      expect(repo.count()).toBe(6000);
      expect(Date.parse(kept[0]!.time)).toBe(now - 60_000);
      expect(pruneBatch(repo, 0, 0, now)).toBe(0);
      // By count alone, over many batches.
      expect(await pruneAll(repo, 0, 10)).toBe(5990);
      expect(repo.count()).toBe(10);
    } finally {
      db.close();
    }
  });

  it('finds what to prune through an index, never by reading the whole table (no statistics, as in a fresh database)', () => {
    const db = openDatabase(path.join(dir, 'plan.db'));
    try {
      migrate(db, migrationsDir);
      const plan = (sql: string, ...args: number[]): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(' | ');
      // By age: the time index up to the cutoff (ordered by id, it walked every row when none was old).
      expect(plan(PRUNE_OLDER_THAN, 0, 10)).toMatch(/SEARCH alerts USING INDEX alerts_time \(time<\?\)/);
      expect(plan(PRUNE_OLDER_THAN, 0, 10)).not.toMatch(/SCAN alerts|TEMP B-TREE/);
      // By count: the oldest ids in rowid order, stopping at the limit, with no sort.
      expect(plan(PRUNE_OLDEST, 10)).not.toMatch(/TEMP B-TREE|INDEX/);
    } finally {
      db.close();
    }
  });
});

describe('retention in a running server', () => {
  it('keeps the newest N: the ingest thread prunes what it stores, the API sees it', async () => {
    const env = makeEnv();
    const app = await makeApp(env, { retention: { days: 0, maxAlerts: 5, intervalMs: 100 } });
    try {
      await app.pipeline.ingest(Array.from({ length: 20 }, (_, i) => ({ line: syslogLine(`event seq=${i + 1} src=10.0.0.${i + 1}`), location: 'test', receivedAt: Date.now() })));
      await waitFor(() => app.alerts.count() === 5, 10_000, 'the oldest 15 alerts pruned');
      expect(app.alerts.list({ limit: 10 }).items.map((a) => a.fields.id)).toEqual(['20', '19', '18', '17', '16']);
    } finally {
      await app.close();
      env.cleanup();
    }
  });
});
