// Lines that come over the network: syslog from the real `logger` client over UDP and TCP, and
// HTTP ingest in both body formats.
import { execFileSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyslogStatus } from '../../src/sources/index.js';
import { makeApp, makeEnv, signIn, syslogLine, token, waitFor, type TestEnv } from './helpers.js';

/** util-linux's `logger` with --server (Debian: bsdutils, installed by npm test): without it the test fails, saying so. */
function requireLogger(): void {
  let help = '';
  try {
    help = execFileSync('logger', ['--help'], { encoding: 'utf8' });
  } catch {
    // not installed: said below
  }
  if (!help.includes('--server')) throw new Error("needs util-linux's logger with --server: apt-get install -y bsdutils (npm test installs it with scripts/ensure.mjs --test)");
}

describe('syslog receivers', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  const port = (kind: string): number => (app.sources.statuses().find((s) => s.kind === kind) as SyslogStatus).port!;

  beforeAll(async () => {
    env = makeEnv({ portcullis: '<syslog protocol="udp">127.0.0.1:0</syslog><syslog protocol="tcp">127.0.0.1:0</syslog>' });
    app = await makeApp(env);
  });
  afterAll(async () => {
    await app.close();
    env.cleanup();
  });

  it('turns messages from logger over UDP and TCP into alerts located at the sender', async () => {
    requireLogger();
    execFileSync('logger', ['--udp', '--server', '127.0.0.1', '--port', String(port('syslog-udp')), '--rfc3164', '-t', 'testapp', 'udp event seq=1 src=10.9.0.1']);
    execFileSync('logger', ['--tcp', '--server', '127.0.0.1', '--port', String(port('syslog-tcp')), '--octet-count', '-t', 'testapp', 'tcp event seq=2 src=10.9.0.2 CRITICAL']);
    await waitFor(() => app.alerts.count() === 2, 5000, 'two alerts');
    const items = app.alerts.list({ limit: 10 }).items;
    expect(items.map((a) => [a.rule_id, a.srcip, a.location, a.program_name])).toEqual([
      [100201, '10.9.0.2', 'syslog:127.0.0.1', 'testapp'],
      [100200, '10.9.0.1', 'syslog:127.0.0.1', 'testapp'],
    ]);
    const sources = (await app.inject({ method: 'GET', url: '/api/health', headers: (await signIn(app, 'viewer')).headers })).json().sources;
    expect(sources).toEqual({ total: 2, failed: 0 });
  });
});

describe('POST /api/ingest', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  let auth: { authorization: string };

  beforeAll(async () => {
    env = makeEnv();
    app = await makeApp(env);
    auth = { authorization: `Bearer ${token(app, 'ingest')}` };
  });
  afterAll(async () => {
    await app.close();
    env.cleanup();
  });

  it('takes text/plain, one event per line, and answers after the alerts are stored', async () => {
    const body = 'Mar  4 10:15:01 web1 testapp[1]: a seq=1 src=10.0.0.1\nMar  4 10:15:02 web1 testapp[1]: b seq=2 src=10.0.0.2\n\nMar  4 10:15:03 web1 other[1]: nothing to see\n';
    const res = await app.inject({ method: 'POST', url: '/api/ingest?location=agent-7', headers: { ...auth, 'content-type': 'text/plain' }, payload: body });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 3, alerts: 2 });
    const stored = app.alerts.list({ limit: 10 }).items;
    expect(stored.map((a) => a.location)).toEqual(['agent-7', 'agent-7']);
  });

  it('takes application/x-ndjson with a location per event', async () => {
    const body = [
      JSON.stringify({ line: 'Mar  4 10:15:04 web2 testapp[1]: c seq=3 src=10.0.0.3', location: '/var/log/app.log', extra: 'dropped' }),
      JSON.stringify({ line: 'Mar  4 10:15:05 web2 testapp[1]: d seq=4 src=10.0.0.4 CRITICAL' }),
    ].join('\n');
    const res = await app.inject({ method: 'POST', url: '/api/ingest', headers: { ...auth, 'content-type': 'application/x-ndjson' }, payload: body });
    expect(res.json()).toEqual({ accepted: 2, alerts: 2 });
    const [d, c] = app.alerts.list({ limit: 2 }).items;
    expect(c!.location).toBe('/var/log/app.log');
    expect(d!.location).toBe('http:t-ingest');
    expect(d!.level).toBe(12);
  });

  it('rejects bad ndjson and other media types in the one error format', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/ingest', headers: { ...auth, 'content-type': 'application/x-ndjson' }, payload: '{"line": 1}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION');
    const json = await app.inject({ method: 'POST', url: '/api/ingest', headers: { ...auth, 'content-type': 'application/json' }, payload: '{}' });
    expect(json.statusCode).toBe(400); // JSON is an array of events (or NDJSON), not one object without a line
    expect(json.json().error.code).toBe('VALIDATION');
    const xml = await app.inject({ method: 'POST', url: '/api/ingest', headers: { ...auth, 'content-type': 'application/xml' }, payload: '<x/>' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('a failing source', () => {
  it('is reported in the API and retried, and the other sources go on', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    const env = makeEnv({ files: ['app.log'], portcullis: `<syslog protocol="tcp">127.0.0.1:${taken}</syslog>` });
    writeFileSync(path.join(env.dir, 'app.log'), '');
    const app = await makeApp(env);
    try {
      const viewer = await signIn(app, 'viewer');
      appendFileSync(path.join(env.dir, 'app.log'), `${syslogLine('still read seq=1 src=10.0.0.1')}\n`);
      await waitFor(() => app.alerts.count() === 1, 5000, 'the file source to go on');
      const sources = (await app.inject({ method: 'GET', url: '/api/sources', headers: viewer.headers })).json().items;
      const tcp = sources.find((s: { kind: string }) => s.kind === 'syslog-tcp');
      expect(tcp).toMatchObject({ state: 'failed', last_error: expect.stringContaining('EADDRINUSE'), last_error_at: expect.any(String) });
      expect(sources.find((s: { kind: string }) => s.kind === 'file').state).not.toBe('failed');
      expect((await app.inject({ method: 'GET', url: '/api/health', headers: viewer.headers })).json()).toMatchObject({ status: 'degraded', sources: { total: 2, failed: 1 } });
      // Once the port is free, the source's own retry brings it up.
      await new Promise((r) => blocker.close(r));
      await waitFor(() => app.sources.statuses().find((s) => s.kind === 'syslog-tcp')?.state === 'running', 5000, 'the retry');
    } finally {
      await app.close();
      env.cleanup();
    }
  });
});
