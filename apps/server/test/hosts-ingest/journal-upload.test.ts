// systemd-journal-upload (Debian's real binary) into POST /upload over HTTPS with web1's client
// certificate: each journal entry is stored once, as web1's, also when the upload failed (the
// server answered 500) or its answer was lost (journal-upload resends from an older cursor).
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, makeEnv, signIn, token, type TestEnv } from '../server/helpers.js';
import { JOURNAL_REMOTE, JOURNAL_UPLOAD, makePki, type Pki } from './helpers.js';

const run = promisify(execFile);

/** One Journal Export Format entry; a field given as a Buffer is written in the binary form. */
function exportEntry(fields: Record<string, string | Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string') parts.push(Buffer.from(`${k}=${v}\n`));
    else {
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(v.length));
      parts.push(Buffer.from(`${k}\n`), len, v, Buffer.from('\n'));
    }
  }
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

let clock = Date.now() * 1000;
function sshd(message: string | Buffer, extra: Record<string, string> = {}): Record<string, string | Buffer> {
  clock += 1000;
  return {
    __REALTIME_TIMESTAMP: String(clock), __MONOTONIC_TIMESTAMP: String(clock - 1e15), _BOOT_ID: '0123456789abcdef0123456789abcdef',
    _HOSTNAME: 'web1', SYSLOG_IDENTIFIER: 'sshd', _PID: '4242', _COMM: 'sshd', _EXE: '/usr/sbin/sshd', _UID: '0',
    _SYSTEMD_UNIT: 'ssh.service', MESSAGE: message, ...extra,
  };
}

/** A journal file made by systemd-journal-remote from export-format input. */
async function journalFile(dir: string, name: string, entries: Array<Record<string, string | Buffer>>): Promise<string> {
  const input = path.join(dir, `${name}.export`);
  writeFileSync(input, Buffer.concat(entries.map(exportEntry)));
  const file = path.join(dir, `${name}.journal`);
  await run(JOURNAL_REMOTE, [`--output=${file}`, input]);
  return file;
}

describe('POST /upload from systemd-journal-upload', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  let pki: Pki;
  let url: string;

  beforeAll(async () => {
    env = makeEnv();
    pki = await makePki(path.join(env.dir, 'pki'));
    writeFileSync(env.configPath, readFileSync(env.configPath, 'utf8').replace('</portcullis>', `
    <tls><cert>pki/server.crt</cert><key>pki/server.key</key><client_ca>pki/ca.crt</client_ca></tls>
  </portcullis>`));
    app = await makeApp(env);
    app.hosts.create('web1', 'test');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await app.close();
    env.cleanup();
  });

  /** Runs journal-upload on `file` as host `name`; resolves with its exit code and output. */
  async function upload(file: string, state: string, name = 'web1'): Promise<{ code: number; output: string }> {
    const client = await pki.client(name);
    try {
      const r = await run(JOURNAL_UPLOAD, [`--follow=no`, `--file=${file}`, `--url=${url}`, `--key=${client.key}`, `--cert=${client.cert}`, `--trust=${pki.ca}`, `--save-state=${state}`], { timeout: 20_000 });
      return { code: 0, output: r.stdout + r.stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  }

  const fullLogs = (): string[] => (app.db.prepare("SELECT full_log FROM alerts WHERE host = 'web1' ORDER BY id").pluck().all() as string[]);

  it('stores each entry once as web1\'s, with the journald source\'s lines and trust rule', async () => {
    const entries = [
      ...Array.from({ length: 7 }, (_, i) => sshd(`Failed password for root from 203.0.113.50 port ${50000 + i} ssh2`)),
      // Binary form (a value with a line break), as journald exports it.
      sshd(Buffer.from('Failed password for admin from 203.0.113.50 port 50007 ssh2\nsecond line')),
      // Says sshd, is logger run by a user: not sshd's line.
      sshd('Failed password for root from 198.51.100.66 port 1 ssh2', { _COMM: 'logger', _EXE: '/usr/bin/logger', _UID: '1000', _SYSTEMD_UNIT: 'session-1.scope' }),
    ];
    const file = await journalFile(env.dir, 'first', entries);
    const state = path.join(env.dir, 'first.state');
    const r = await upload(file, state);
    expect(r.code, r.output).toBe(0);

    const logs = fullLogs();
    expect(logs.filter((l) => l.includes('Failed password'))).toHaveLength(8);
    expect(logs.some((l) => l.includes('198.51.100.66'))).toBe(false);
    expect(logs.some((l) => /web1 sshd\[4242\]: Failed password for admin from 203\.0\.113\.50 port 50007 ssh2 second line$/.test(l))).toBe(true);
    const alerts = app.alerts.list({ limit: 50, host: 'web1' }).items;
    expect(alerts.every((a) => a.location === '(web1) 127.0.0.1->journald')).toBe(true);
    expect(alerts.find((a) => a.rule_id === 100102)).toMatchObject({ srcip: '203.0.113.50', host: 'web1' });
    expect(app.hosts.byName('web1')).toMatchObject({ lines: 8, refused_lines: 1 });

    // Its cursor moved on: the same upload again sends nothing new.
    expect((await upload(file, state)).code).toBe(0);
    // An upload whose 2xx was lost resends from its older cursor: here from the start.
    const again = await upload(file, path.join(env.dir, 'first-lost-answer.state'));
    expect(again.code, again.output).toBe(0);
    expect(fullLogs()).toEqual(logs);
    expect(app.hosts.byName('web1')).toMatchObject({ lines: 8 });

    const admin = await signIn(app, 'admin');
    const sources = (await app.inject({ method: 'GET', url: '/api/sources', headers: admin.headers })).json().items as Array<{ id: string; lines_read: number; dropped: Record<string, number> }>;
    expect(sources.find((s) => s.id === 'journal-upload')).toMatchObject({ lines_read: 8, dropped: { 'untrusted-identifier': 1 } });
  });

  it('after a 500 (the commit failed) journal-upload keeps its cursor, and its retry stores each entry once', async () => {
    const before = fullLogs().length;
    const file = await journalFile(env.dir, 'second', Array.from({ length: 3 }, (_, i) => sshd(`Failed password for bob from 192.0.2.77 port ${60000 + i} ssh2`)));
    const state = path.join(env.dir, 'second.state');
    // A real failure of the transaction that stores the lines and the cursor.
    app.db.exec("CREATE TRIGGER fail_upload BEFORE INSERT ON source_cursors WHEN NEW.source_id LIKE 'upload:%' BEGIN SELECT RAISE(ABORT, 'disk trouble'); END");
    const failed = await upload(file, state);
    app.db.exec('DROP TRIGGER fail_upload');
    expect(failed.code, failed.output).not.toBe(0);
    expect(failed.output).toMatch(/500/);
    expect(fullLogs()).toHaveLength(before);

    const retried = await upload(file, state);
    expect(retried.code, retried.output).toBe(0);
    const logs = fullLogs().slice(before);
    expect(logs.filter((l) => l.includes('192.0.2.77'))).toHaveLength(3);
    expect(await upload(file, path.join(env.dir, 'second-again.state'))).toMatchObject({ code: 0 });
    expect(fullLogs().slice(before)).toEqual(logs);
  });

  it('refuses a client certificate that names no registered host, and counts it', async () => {
    const file = await journalFile(env.dir, 'third', [sshd('Failed password for eve from 192.0.2.99 port 1 ssh2')]);
    const r = await upload(file, path.join(env.dir, 'third.state'), 'web9');
    expect(r.code).not.toBe(0);
    expect(fullLogs().some((l) => l.includes('192.0.2.99'))).toBe(false);
    const admin = await signIn(app, 'admin');
    const sources = (await app.inject({ method: 'GET', url: '/api/sources', headers: admin.headers })).json().items as Array<{ id: string; refused: Record<string, number>; recent_drops: Array<{ from: string; reason: string }> }>;
    const s = sources.find((x) => x.id === 'journal-upload')!;
    expect(s.refused['unknown-host']).toBeGreaterThanOrEqual(1);
    expect(s.recent_drops[0]).toMatchObject({ from: 'web9@127.0.0.1', reason: 'unknown-host' });
  });
});

describe('POST /upload with an ingest token (no TLS, other tools)', () => {
  let env: TestEnv;
  let app: FastifyInstance;

  beforeAll(async () => {
    env = makeEnv();
    app = await makeApp(env);
  });
  afterAll(async () => {
    await app.close();
    env.cleanup();
  });

  const upload = (authorization: string, entries: Array<Record<string, string | Buffer>>) => app.inject({
    method: 'POST', url: '/upload', payload: Buffer.concat(entries.map(exportEntry)),
    headers: { authorization, 'content-type': 'application/vnd.fdo.journal' },
  });

  it('takes a host\'s Bearer ingest token; refuses API tokens (no host) and a revoked host', async () => {
    const { ingestToken } = app.hosts.create('web4', 'test');
    const cursor = (i: number): Record<string, string> => ({ __CURSOR: `s=${'d'.repeat(32)};i=${i.toString(16)};b=${'e'.repeat(32)};m=1;t=1;x=1` });
    let res = await upload(`Bearer ${ingestToken}`, [
      { ...cursor(1), ...sshd('Failed password for web4user from 192.0.2.44 port 1 ssh2') },
      { ...cursor(2), ...sshd('Failed password for web4user from 192.0.2.44 port 2 ssh2') },
    ]);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ stored: 2, duplicates: 0, dropped: 0 });
    res = await upload(`Bearer ${ingestToken}`, [
      { ...cursor(2), ...sshd('Failed password for web4user from 192.0.2.44 port 2 ssh2') },
      { ...cursor(3), ...sshd('Failed password for web4user from 192.0.2.44 port 3 ssh2') },
    ]);
    expect(res.json()).toEqual({ stored: 1, duplicates: 1, dropped: 0 });
    expect(app.alerts.list({ limit: 10, host: 'web4' }).items.map((a) => a.location)).toEqual(Array(3).fill('(web4) 127.0.0.1->journald'));
    expect((await upload(`Bearer ${token(app, 'ingest')}`, [sshd('x')])).statusCode).toBe(403);
    app.hosts.revoke('web4', 'test');
    expect((await upload(`Bearer ${ingestToken}`, [{ ...cursor(4), ...sshd('Failed password for web4user from 192.0.2.44 port 4 ssh2') }])).statusCode).toBe(401);
    expect(app.alerts.list({ limit: 10, host: 'web4' }).items).toHaveLength(3);
  });

  it('answers 400 with the entry for a body that is not the export format, and stores nothing of it', async () => {
    const { ingestToken } = app.hosts.create('web5', 'test');
    const res = await app.inject({ method: 'POST', url: '/upload', payload: 'MESSAGE=ok\n\nthis is not a field\n', headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/vnd.fdo.journal' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/journal export entry 2: "this is not a field" is not a field name/);
  });
});
