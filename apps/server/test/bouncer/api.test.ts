// The /v1/ routes on a real app: X-Api-Key (403 {"message":"access forbidden"} + an audit row,
// 429 after repeated wrong keys), the stream's startup and deltas over HTTP with the last pull
// stored after the answer was written, GET /v1/decisions, HEAD, usage metrics; and a block's
// targets in the block API.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BlockDetail, BlockPage } from '@portcullis/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { signIn } from '../server/helpers.js';
import { FAKE_COMMAND, FIXTURES, attack, line } from '../active-response/helpers.js';
import { binding } from './world.js';

let dir: string;
let app: FastifyInstance;
let key1: string;
let key2: string;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'portcullis-bouncer-'));
  const arDir = path.join(dir, 'active-response');
  mkdirSync(arDir);
  mkdirSync(path.join(dir, 'fake'));
  copyFileSync(path.join(FIXTURES, 'fake-ar.sh'), path.join(arDir, 'fake-ar.sh'));
  process.env.FAKE_DIR = path.join(dir, 'fake');
  const configPath = path.join(dir, 'ossec.conf');
  writeFileSync(configPath, `<ossec_config>
  <ruleset><decoder_include>${FIXTURES}/decoders.xml</decoder_include><rule_include>${FIXTURES}/rules.xml</rule_include></ruleset>
  ${FAKE_COMMAND}${binding('all')}
  <portcullis><journald>no</journald><active_response_dir>${arDir}</active_response_dir><watch_ruleset>no</watch_ruleset></portcullis>
</ossec_config>`);
  const cfg = resolveServerConfig({ config: configPath, data: path.join(dir, 'data'), listen: '127.0.0.1:0' }, {});
  app = await buildApp(cfg, { webRoot: path.join(dir, 'no-web') });
  await app.ready();
  key1 = app.hosts.create('web1', 'test').apiKey;
  key2 = app.hosts.create('web2', 'test').apiKey;
});

afterEach(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function feed(host: string, ...messages: string[]): Promise<void> {
  await app.pipeline.ingest(messages.map((m) => ({ line: line(m), location: '/var/log/auth.log', receivedAt: Date.now(), host })));
  await app.activeResponse.service.idle();
}

const UA = 'crowdsec-firewall-bouncer/v0.0.25-debian-pragmatic-a3b0b8a5dc3f2d2c2b8e1c0f9b4c5a9c0c1b2a3d';

function pull(key: string, query = '', method: 'GET' | 'HEAD' = 'GET') {
  return app.inject({ method, url: `/v1/decisions/stream${query}`, headers: { 'x-api-key': key, 'user-agent': UA } });
}

describe('bouncer API', () => {
  it('refuses a wrong or revoked key with 403 and an audit row, then 429 for an address that keeps trying', async () => {
    const wrong = await app.inject({ method: 'GET', url: '/v1/decisions/stream?startup=true', headers: { 'x-api-key': 'nope' } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toEqual({ message: 'access forbidden' });
    expect((await app.inject({ method: 'GET', url: '/v1/decisions' })).statusCode).toBe(403);
    const audit = app.db.prepare("SELECT source_ip, target FROM audit WHERE action = 'bouncer.auth-failure'").all();
    expect(audit).toEqual([{ source_ip: '127.0.0.1', target: '/v1/decisions/stream' }, { source_ip: '127.0.0.1', target: '/v1/decisions' }]);
    app.hosts.revoke('web2', 'test');
    expect((await pull(key2, '?startup=true')).statusCode).toBe(403);
    for (let i = 0; i < 7; i++) await pull('bad');
    const limited = await pull(key1);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  });

  it("counts a revoked host's key on that host: its auth failures on the Hosts page, the audit row names it", async () => {
    const viewer = await signIn(app, 'viewer');
    app.hosts.revoke('web2', 'test');
    expect((await pull(key2, '?startup=true')).statusCode).toBe(403);
    expect((await pull(key2)).statusCode).toBe(403);
    expect((await pull('not-a-key')).statusCode).toBe(403); // no host: counted nowhere
    const hosts = (await app.inject({ method: 'GET', url: '/api/hosts', headers: viewer.headers })).json() as { items: Array<{ name: string; auth_failures: number; last_auth_failure_at: string | null }> };
    expect(hosts.items.map((h) => [h.name, h.auth_failures])).toEqual([['web1', 0], ['web2', 2]]);
    expect(hosts.items[1]!.last_auth_failure_at).not.toBeNull();
    const reasons = app.db.prepare("SELECT json_extract(after, '$.reason') FROM audit WHERE action = 'bouncer.auth-failure' ORDER BY id").pluck().all();
    expect(reasons).toEqual(['key of revoked host web2', 'key of revoked host web2', 'unknown key']);
  });

  it('POST /api/blocks with target hosts: delivered to the named host only, shown in its targets; an unknown host is a 400', async () => {
    const responder = await signIn(app, 'responder');
    const res = await app.inject({ method: 'POST', url: '/api/blocks', headers: responder.headers, payload: { ip: '198.51.100.60', duration: 300, reason: 'scanner', target: 'hosts', hosts: ['web2'] } });
    expect(res.statusCode).toBe(201);
    const id = (res.json() as { id: number; state: string }).id;
    expect(res.json()).toMatchObject({ state: 'active' });
    const detail = (await app.inject({ method: 'GET', url: `/api/blocks/${id}`, headers: responder.headers })).json() as BlockDetail;
    expect(detail.targets).toMatchObject({ server: false, hosts: [{ name: 'web2', state: 'pending' }] });
    expect((await pull(key1, '?startup=true')).json()).toEqual({ new: null, deleted: null });
    expect(((await pull(key2, '?startup=true')).json() as { new: Array<{ value: string }> }).new.map((d) => d.value)).toEqual(['198.51.100.60']);
    const bad = await app.inject({ method: 'POST', url: '/api/blocks', headers: responder.headers, payload: { ip: '198.51.100.61', duration: 300, reason: 'r', target: 'hosts', hosts: ['web9'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'UNKNOWN_HOST', message: 'no active host named "web9"' } });
  });

  it('streams startup then deltas, stores the pull after the answer, and answers GET /v1/decisions, HEAD and usage metrics', async () => {
    const empty = await pull(key1, '?startup=true');
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({ new: null, deleted: null });
    expect(app.hosts.byName('web1')).toMatchObject({ user_agent: UA, last_startup_at: expect.any(Number), last_pull_at: expect.any(Number) });

    await feed('web1', attack('198.51.100.40'), attack('2001:db8::40'));
    const [v4, v6] = (app.db.prepare('SELECT id FROM blocks ORDER BY id').pluck().all() as number[]);
    const head = await pull(key1, '', 'HEAD');
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    const a = await pull(key1, '?startup=false&scopes=ip,range');
    expect(a.headers['content-type']).toMatch(/application\/json/);
    const body = a.json() as { new: Array<{ id: number; value: string; duration: string; scope: string; type: string; origin: string }>; deleted: null };
    expect(body.deleted).toBeNull();
    expect(body.new.map((d) => [d.id, d.value, d.scope, d.type, d.origin])).toEqual([[v4, '198.51.100.40', 'Ip', 'ban', 'portcullis'], [v6, '2001:db8::40', 'Ip', 'ban', 'portcullis']]);
    expect(body.new[0]!.duration).toMatch(/^(10m0s|9m5\ds)$/);
    expect((await pull(key1)).json()).toEqual({ new: null, deleted: null });
    expect(app.hosts.byName('web1')!.poll_interval_ms).toEqual(expect.any(Number));

    const one = await app.inject({ method: 'GET', url: '/v1/decisions?ip=2001:DB8::40', headers: { 'x-api-key': key1 } });
    expect((one.json() as Array<{ value: string }>).map((d) => d.value)).toEqual(['2001:db8::40']);
    const none = await app.inject({ method: 'GET', url: '/v1/decisions?ip=203.0.113.1', headers: { 'x-api-key': key1 } });
    expect(none.body).toBe('null');
    const metrics = await app.inject({ method: 'POST', url: '/v1/usage-metrics', headers: { 'x-api-key': key1 }, payload: { remediation_components: [] } });
    expect(metrics.statusCode).toBe(201);

    // the server's script ran too (location all), and the block's targets show per host
    const responder = await signIn(app, 'responder');
    const detail = (await app.inject({ method: 'GET', url: `/api/blocks/${v4}`, headers: responder.headers })).json() as BlockDetail;
    expect(detail.targets).toMatchObject({ server: true, hosts: [{ name: 'web1', state: 'delivered', stale: false }, { name: 'web2', state: 'pending', stale: true }] });
    expect(detail.targets!.summary).toBe('enforced on 1/2 hosts and the server, web2 never pulled');

    // released in the dashboard: the removal reaches web1 on its next poll, once
    const rel = await app.inject({ method: 'POST', url: `/api/blocks/${v4}/release`, headers: responder.headers, payload: { reason: 'false positive' } });
    expect(rel.statusCode).toBe(200);
    expect((await pull(key1)).json()).toMatchObject({ new: null, deleted: [{ id: v4, value: '198.51.100.40' }] });
    expect((await pull(key1)).json()).toEqual({ new: null, deleted: null });
    const page = (await app.inject({ method: 'GET', url: '/api/blocks', headers: responder.headers })).json() as BlockPage;
    const released = page.items.find((b) => b.id === v4)!;
    expect(released.targets!.hosts.map((h) => [h.name, h.state])).toEqual([['web1', 'removed'], ['web2', 'removed']]);

    // a bouncer restart gets the full set again
    expect(((await pull(key1, '?startup=true')).json() as { new: Array<{ value: string }> }).new.map((d) => d.value)).toEqual(['2001:db8::40']);
  });
});
