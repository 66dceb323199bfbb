// POST /api/ingest with a registered host's ingest token: the lines carry that host and OSSEC's
// agent location; JSON arrays (Vector, Fluent Bit) as well as NDJSON; API tokens work as before;
// unknown and revoked host tokens are refused and counted.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, makeEnv, signIn, token, type TestEnv } from '../server/helpers.js';
import { bsdLine } from './helpers.js';

describe('POST /api/ingest from hosts', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  let web1: string;

  beforeAll(async () => {
    env = makeEnv();
    app = await makeApp(env);
    web1 = app.hosts.create('web1', 'test').ingestToken;
  });
  afterAll(async () => {
    await app.close();
    env.cleanup();
  });

  const post = (auth: string, type: string, payload: string) =>
    app.inject({ method: 'POST', url: '/api/ingest', headers: { authorization: `Bearer ${auth}`, 'content-type': type }, payload });
  const failed = (user: string, ip: string, host = 'web1') => bsdLine(host, `Failed password for ${user} from ${ip} port 22 ssh2`);

  it('NDJSON with a host token: the lines are the host\'s, located in its agent form', async () => {
    const res = await post(web1, 'application/x-ndjson', `${JSON.stringify({ line: failed('a', '192.0.2.1'), location: '/var/log/auth.log' })}\n${JSON.stringify({ line: failed('b', '192.0.2.2', 'web7') })}\n`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ accepted: 2, alerts: 2 });
    const alerts = app.alerts.list({ limit: 2, host: 'web1' }).items;
    expect(alerts.map((a) => [a.user, a.host, a.location])).toEqual([
      ['b', 'web1', '(web1) 127.0.0.1->http'],
      ['a', 'web1', '(web1) 127.0.0.1->/var/log/auth.log'],
    ]);
    expect(alerts[0]!.full_log).toContain(' web7 sshd[4242]');
    const row = app.hosts.byName('web1')!;
    expect(row.lines).toBe(2);
    expect(row.last_line_at).toBeGreaterThan(0);
  });

  it('a JSON array of objects (line or message) or of strings, and NDJSON sent as application/json', async () => {
    const before = app.hosts.byName('web1')!.lines;
    let res = await post(web1, 'application/json', JSON.stringify([{ message: failed('c', '192.0.2.3'), location: 'auth' }, { line: failed('d', '192.0.2.4') }]));
    expect(res.statusCode, res.body).toBe(200);
    res = await post(web1, 'application/json', JSON.stringify([failed('e', '192.0.2.5')]));
    expect(res.json()).toEqual({ accepted: 1, alerts: 1 });
    res = await post(web1, 'application/json', `${JSON.stringify({ message: failed('f', '192.0.2.6') })}\n`);
    expect(res.json()).toEqual({ accepted: 1, alerts: 1 });
    expect(app.alerts.list({ limit: 4, host: 'web1' }).items.map((a) => [a.user, a.location])).toEqual([
      ['f', '(web1) 127.0.0.1->http'], ['e', '(web1) 127.0.0.1->http'], ['d', '(web1) 127.0.0.1->http'], ['c', '(web1) 127.0.0.1->auth'],
    ]);
    expect(app.hosts.byName('web1')!.lines).toBe(before + 4);
    res = await post(web1, 'application/json', JSON.stringify([{ line: 'ok' }, { msg: 'no line' }]));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('event 2');
  });

  it('API tokens work as before: no host, location http:<token>', async () => {
    const res = await post(token(app, 'ingest'), 'application/x-ndjson', JSON.stringify({ line: failed('g', '192.0.2.7') }));
    expect(res.statusCode).toBe(200);
    expect(app.alerts.list({ limit: 1 }).items[0]).toMatchObject({ user: 'g', host: null, location: 'http:t-ingest' });
  });

  it('a host token opens nothing else', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/alerts', headers: { authorization: `Bearer ${web1}` } })).statusCode).toBe(403);
  });

  it('refuses unknown and revoked host tokens, counted per reason with the sender in /api/sources and /metrics', async () => {
    const web2 = app.hosts.create('web2', 'test').ingestToken;
    app.hosts.revoke('web2', 'test');
    const count = app.alerts.count();
    expect((await post(web2, 'text/plain', failed('h', '192.0.2.8'))).statusCode).toBe(401);
    expect((await post(`pch_${'x'.repeat(43)}`, 'text/plain', failed('i', '192.0.2.9'))).statusCode).toBe(401);
    expect(app.alerts.count()).toBe(count);
    const admin = await signIn(app, 'admin');
    const items = (await app.inject({ method: 'GET', url: '/api/sources', headers: admin.headers })).json().items as Array<{ id: string; refused: Record<string, number>; recent_drops: Array<{ from: string; reason: string }> }>;
    const s = items.find((x) => x.id === 'http-ingest')!;
    expect(s.refused).toEqual({ 'revoked-host': 1, 'unknown-token': 1 });
    expect(s.recent_drops.map((d) => [d.from, d.reason])).toEqual([['127.0.0.1', 'unknown-token'], ['web2@127.0.0.1', 'revoked-host']]);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: admin.headers })).body;
    expect(metrics).toContain('portcullis_ingest_refused_total{source="http-ingest",reason="revoked-host"} 1');
  });
});
