// A full data disk must not silently turn active response off. The data dir is a real 32 MiB tmpfs
// (this test runs as root); a filler file takes every free byte, then a brute force arrives with a
// burst of lines behind it. Health says the database is not ok and why, the log says it once, a
// release still commits (the reserve), and once space is freed the very lines that were refused
// are processed — counted once — and the brute force blocks its source.
import { execFileSync } from 'node:child_process';
import { appendFileSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Health } from '@portcullis/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRoot } from '../support/root.js';
import { buildApp } from '../../src/app.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { RESERVE_BYTES, RESERVE_FILE } from '../../src/db/storage-guard.js';
import { FAKE_COMMAND, FIXTURES as AR_FIXTURES } from '../active-response/helpers.js';
import { FIXTURE_RULESET, signIn, syslogLine, waitFor, type SignedIn } from '../server/helpers.js';

const ATTACKER = '198.51.100.9';
const BURST = 6000;

let dir: string;
let dataDir: string;
let log: string;
let fakeDir: string;
let app: FastifyInstance;
const logged: { level: number; msg: string }[] = [];

// Mounting the small filesystem needs root.
describe.runIf(asRoot)('a full data disk', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'portcullis-disk-full-'));
    dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', dataDir]);
    const arDir = path.join(dir, 'active-response');
    fakeDir = path.join(dir, 'fake');
    mkdirSync(arDir);
    mkdirSync(fakeDir);
    copyFileSync(path.join(AR_FIXTURES, 'fake-ar.sh'), path.join(arDir, 'fake-ar.sh'));
    process.env.FAKE_DIR = fakeDir;
    log = path.join(dir, 'auth.log');
    writeFileSync(log, '');
    const configPath = path.join(dir, 'ossec.conf');
    writeFileSync(configPath, `<ossec_config>
    <ruleset><decoder_dir>${FIXTURE_RULESET}/decoders</decoder_dir><rule_dir>${FIXTURE_RULESET}/rules</rule_dir></ruleset>
    <localfile><log_format>syslog</log_format><location>${log}</location></localfile>
    ${FAKE_COMMAND}
    <active-response><command>fake</command><location>local</location><rules_id>100102</rules_id><timeout>600</timeout></active-response>
    <portcullis><journald>no</journald><active_response_dir>${arDir}</active_response_dir><watch_ruleset>no</watch_ruleset></portcullis>
  </ossec_config>
  `);
    const cfg = resolveServerConfig({ config: configPath, data: dataDir, listen: '127.0.0.1:0' }, {});
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(l) as { level: number; msg: string });
        done();
      },
    });
    app = await buildApp(cfg, { logger: { level: 'info', stream }, webRoot: path.join(dir, 'no-web') });
    await app.ready();
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    try {
      execFileSync('umount', [dataDir]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Takes every free byte of the data disk; returns the file to delete to give them back. */
  function fill(): string {
    const filler = path.join(dataDir, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (const size of [1024 * 1024, 4096, 1]) {
        const buf = Buffer.alloc(size, 1);
        try {
          for (;;) writeSync(fd, buf);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        }
      }
    } finally {
      closeSync(fd);
    }
    return filler;
  }

  async function health(viewer: SignedIn): Promise<{ code: number; body: Health }> {
    const res = await app.inject({ url: '/api/health', headers: viewer.headers });
    return { code: res.statusCode, body: res.json() as Health };
  }

  const count = (sql: string, ...args: unknown[]): number => app.db.prepare(sql).pluck().get(...args) as number;
  const burstLine = (n: number): string => syslogLine(`event seq=${n} src=10.2.${(n >> 8) & 255}.${n & 255} ${'x'.repeat(800)}`);

  it('is reported, keeps room for a release, loses no line and counts none twice', async () => {
    const viewer = await signIn(app, 'viewer');
    const actor = { name: 'test', ip: null };
    // A block made before the disk fills, to be released while it is full.
    const { block } = await app.activeResponse.manual.block({ ip: '203.0.113.50', duration: 0, reason: 'released on a full disk' }, actor);
    expect(statSync(path.join(dataDir, RESERVE_FILE)).size).toBe(RESERVE_BYTES);
    expect((await health(viewer)).body.database).toMatchObject({ ok: true, error: null });

    const filler = fill();
    // The start of a brute force (three failures), then a burst, in a log rotated in whole (so the tailer reads
    // the new file from its start in full batches): the first batch cannot be written.
    const failure = (n: number): string => syslogLine(`Failed password for root from ${ATTACKER} port ${40000 + n} ssh2`, 'sshd');
    const failures = [1, 2, 3].map(failure);
    writeFileSync(`${log}.new`, `${[...failures, ...Array.from({ length: BURST }, (_, i) => burstLine(i + 1))].join('\n')}\n`);
    renameSync(`${log}.new`, log);

    const full = await waitFor(async () => {
      const h = await health(viewer);
      if (h.body.database?.ok !== false) throw new Error(`database still ${JSON.stringify(h.body.database)}`);
      return h;
    }, 30_000, 'health to report the full disk');
    expect(full.code).toBe(503);
    expect(full.body.status).toBe('degraded');
    expect(full.body.database?.error).toMatch(/the data disk is full; storing alerts: database or disk is full \(SQLITE_FULL\)/);
    expect(existsSync(path.join(dataDir, RESERVE_FILE))).toBe(false);
    expect(logged.filter((l) => l.level === 50 && l.msg.startsWith('DATA DISK FULL'))).toHaveLength(1);
    expect(count('SELECT COUNT(*) FROM alerts WHERE rule_id IN (100101, 100102)')).toBe(0);

    // The release commits into the reserve's space while the disk stays full.
    const released = await app.activeResponse.manual.release(block.id, { reason: 'disk full drill' }, actor);
    expect(released.state).toBe('released');
    expect(app.db.prepare('SELECT state FROM blocks WHERE id = ?').pluck().get(block.id)).toBe('released');
    expect((await health(viewer)).body.database?.ok).toBe(false);

    rmSync(filler);
    await waitFor(() => count("SELECT COUNT(*) FROM alerts WHERE rule_id IN (100200, 100201)") === BURST, 90_000, 'the refused lines to be stored');
    appendFileSync(log, `${[4, 5].map(failure).join('\n')}\n`);
    await waitFor(() => count('SELECT COUNT(*) FROM alerts WHERE rule_id IN (100101, 100102)') === 5, 20_000, 'the last two failures');
    // The first three failures went through the engine before the first failed commit; the retry
    // reused those results instead of counting them again: the fifth failure is the brute force.
    expect(app.db.prepare('SELECT rule_id FROM alerts WHERE rule_id IN (100101, 100102) ORDER BY id').pluck().all()).toEqual([100101, 100101, 100101, 100101, 100102]);
    expect(app.db.prepare('SELECT full_log FROM alerts WHERE rule_id = 100102').pluck().get()).toContain('port 40005');
    expect(count("SELECT COUNT(DISTINCT json_extract(fields, '$.id')) FROM alerts WHERE rule_id = 100200")).toBe(BURST);
    await waitFor(() => app.db.prepare("SELECT state FROM blocks WHERE ip = ?").pluck().get(ATTACKER) === 'active', 20_000, 'the block');
    expect((await health(viewer)).body.database).toMatchObject({ ok: true, error: null });
    expect(statSync(path.join(dataDir, RESERVE_FILE)).size).toBe(RESERVE_BYTES);
  }, 180_000);
});
