// Real files appended to, rotated both ways, truncated, deleted and recreated, and a restart:
// every line yields exactly its alert, none lost, none twice.
import { appendFileSync, copyFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp, makeEnv, signIn, storedSeqs, syslogLine, waitFor, type TestEnv } from './helpers.js';

let seq = 0;
function lines(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += `${syslogLine(`event seq=${++seq} src=10.0.0.${seq % 250}`)}\n`;
  return out;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

async function expectAll(app: FastifyInstance, label: string): Promise<void> {
  await waitFor(() => storedSeqs(app).length >= seq, 8000, `${label}: ${seq} alerts`);
  // Give a duplicate the chance to show up before judging.
  await new Promise((r) => setTimeout(r, 300));
  expect(storedSeqs(app), label).toEqual(range(seq));
}

describe('file sources through the pipeline into SQLite', () => {
  let env: TestEnv;
  let app: FastifyInstance | null = null;

  afterEach(async () => {
    await app?.close();
    app = null;
    env.cleanup();
    seq = 0;
  });

  it('survives append, rename rotation, copytruncate, truncation, delete+recreate and a restart', async () => {
    env = makeEnv({ files: ['app.log'] });
    const log = path.join(env.dir, 'app.log');
    writeFileSync(log, '');
    app = await makeApp(env);

    appendFileSync(log, lines(200));
    await expectAll(app, 'append');

    // logrotate's default: rename, then a new file; lines written to the old one just before.
    appendFileSync(log, lines(20));
    renameSync(log, `${log}.1`);
    writeFileSync(log, lines(30));
    await expectAll(app, 'rename rotation');

    // copytruncate: copy, then cut the file to zero in place.
    copyFileSync(log, `${log}.2`);
    truncateSync(log, 0);
    appendFileSync(log, lines(25));
    await expectAll(app, 'copytruncate');

    // truncated by hand, then written again
    truncateSync(log, 0);
    await new Promise((r) => setTimeout(r, 400));
    appendFileSync(log, lines(10));
    await expectAll(app, 'truncate');

    // deleted, then recreated later
    rmSync(log);
    await new Promise((r) => setTimeout(r, 400));
    writeFileSync(log, lines(15));
    await expectAll(app, 'delete and recreate');

    // a clean restart, with lines written and a rotation while the server was down
    await app.close();
    appendFileSync(log, lines(12));
    renameSync(log, `${log}.3`);
    writeFileSync(log, lines(8));
    app = await makeApp(env);
    await expectAll(app, 'restart');

    const res = await app.inject({ method: 'GET', url: '/api/health', headers: (await signIn(app, 'viewer')).headers });
    expect(res.json().sources).toEqual({ total: 1, failed: 0 });
  });

  it('stores the alert fields the API promises', async () => {
    env = makeEnv({ files: ['auth.log'] });
    const log = path.join(env.dir, 'auth.log');
    writeFileSync(log, '');
    app = await makeApp(env);
    let text = '';
    for (let i = 0; i < 5; i++) text += `${syslogLine(`Failed password for root from 198.51.100.7 port ${5000 + i} ssh2`, 'sshd')}\n`;
    appendFileSync(log, text);
    await waitFor(() => app!.alerts.count() === 5, 5000, '5 alerts');
    const row = app.alerts.list({ limit: 10, level_min: 10 }).items[0]!;
    expect(row).toMatchObject({
      rule_id: 100102,
      level: 10,
      description: 'sshd: brute force from 198.51.100.7',
      groups: ['syslog', 'sshd', 'authentication_failures', 'portcullis_block'],
      decoder: 'sshd',
      srcip: '198.51.100.7',
      user: 'root',
      hostname: 'host1',
      program_name: 'sshd',
      location: log,
      fields: { dstuser: 'root', srcip: '198.51.100.7' },
    });
    expect(row.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(row.event_time!) - Date.now())).toBeLessThan(10_000);
    expect(row.full_log).toContain('Failed password for root');
  });
});
