// The data dir holds argon2id hashes and every stored log line: under the usual umask 022 another
// local user must still not read it. New dirs are 0700 and files 0600; an existing 755/644 data
// dir (from an earlier version) is fixed at start.
import { chmodSync, existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { ArLog } from '../../src/modules/active-response/ar-log.js';
import { makeApp, makeEnv, type TestEnv } from '../server/helpers.js';

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

describe('data dir permissions under umask 022', () => {
  let umask: number;
  let env: TestEnv;
  let app: FastifyInstance | null = null;
  beforeAll(() => {
    umask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(umask);
  });
  afterEach(async () => {
    await app?.close();
    app = null;
    env.cleanup();
  });

  it('creates a fresh data dir 0700 and the database, its -wal and -shm, and the logs 0600', async () => {
    env = makeEnv();
    app = await makeApp(env);
    await app.accounts.createUser({ name: 'test', ip: null }, { username: 'alice', password: 'alice-password-1', role: 'admin' });
    const db = path.join(env.dataDir, 'portcullis.db');
    expect(existsSync(`${db}-wal`) && existsSync(`${db}-shm`)).toBe(true);
    expect([env.dataDir, db, `${db}-wal`, `${db}-shm`].map(mode)).toEqual(['700', '600', '600', '600']);

    const logFile = path.join(env.dataDir, 'logs', 'active-responses.log');
    const log = new ArLog(logFile);
    log.line(Date.UTC(2024, 0, 1), 'portcullis', 'blocked 203.0.113.9');
    await log.close();
    expect([path.dirname(logFile), logFile].map(mode)).toEqual(['700', '600']);
  });

  it('fixes an existing 755 data dir with 644 files at start, without following links out of it', async () => {
    env = makeEnv();
    const dataDir = env.dataDir;
    mkdirSync(path.join(dataDir, 'logs', 'old'), { recursive: true });
    chmodSync(dataDir, 0o755);
    // A database made under umask 022 and still open elsewhere, so its -wal and -shm are on disk.
    const dbFile = path.join(dataDir, 'portcullis.db');
    const earlier = new Database(dbFile);
    earlier.pragma('journal_mode = WAL');
    earlier.exec('CREATE TABLE earlier (x); INSERT INTO earlier VALUES (1)');
    const state = ['logs/active-responses.log', 'logs/ar-scripts.log', 'logs/old/active-responses.log.1'].map((f) => path.join(dataDir, f));
    for (const f of state) writeFileSync(f, 'Tue Nov 28 09:39:15 UTC 2023 sshd: failed password for root\n');
    const outside = path.join(env.dir, 'outside.txt');
    writeFileSync(outside, 'not ours\n');
    symlinkSync(outside, path.join(dataDir, 'logs', 'link'));
    const before = [dataDir, path.join(dataDir, 'logs'), path.join(dataDir, 'logs', 'old'), dbFile, `${dbFile}-wal`, `${dbFile}-shm`, ...state];
    expect(before.map(mode)).toEqual(['755', '755', '755', '644', '644', '644', '644', '644', '644']);

    try {
      app = await makeApp(env);
      expect(before.map(mode)).toEqual(['700', '700', '700', '600', '600', '600', '600', '600', '600']);
      expect(mode(outside)).toBe('644');
    } finally {
      earlier.close();
    }
  });

  it('opens a database for the CLI the same way: new folder 0700, existing 644 file made 0600', () => {
    env = makeEnv();
    const file = path.join(env.dir, 'cli-data', 'portcullis.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    expect([path.dirname(file), file, `${file}-wal`, `${file}-shm`].map(mode)).toEqual(['700', '600', '600', '600']);
    db.close();
    chmodSync(file, 0o644);
    chmodSync(path.dirname(file), 0o755);
    openDatabase(file).close();
    expect([path.dirname(file), file].map(mode)).toEqual(['700', '600']);
  });
});
