// The read API over stored alerts: filters, keyset paging, one alert, stats, sources, health,
// metrics, and the placeholder page when the dashboard is not built.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Alert } from '@portcullis/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { makeApp, makeEnv, signIn, testConfig, type SignedIn, type TestEnv } from './helpers.js';

describe('alerts API', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  let viewer: SignedIn;
  const get = async (url: string) => app.inject({ method: 'GET', url, headers: viewer.headers });

  beforeAll(async () => {
    env = makeEnv({ files: ['missing-dir/never.log'] });
    writeFileSync(path.join(env.dir, 'x'), '');
    app = await makeApp(env);
    viewer = await signIn(app, 'viewer');
    const t0 = Date.parse('2026-03-04T10:00:00Z');
    const lines = [];
    for (let i = 0; i < 30; i++) {
      const host = i % 3 === 0 ? 'db1' : 'web1';
      lines.push({ line: `Mar  4 10:15:01 ${host} testapp[1]: e seq=${i} src=10.0.0.${i % 4}${i % 10 === 0 ? ' CRITICAL' : ''}`, location: i < 20 ? '/var/log/a.log' : '/var/log/b.log', receivedAt: t0 + i * 60_000 });
    }
    lines.push({ line: 'Mar  4 10:15:01 web1 sshd[1]: Failed password for bob from 192.0.2.5 port 22 ssh2', location: '/var/log/auth.log', receivedAt: t0 + 30 * 60_000 });
    await app.pipeline.ingest(lines);
  });
  afterAll(async () => {
    await app.close();
    env.cleanup();
  });

  it('pages newest first with a cursor until next is null', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/api/alerts?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      const body = res.json() as { items: Alert[]; next: string | null };
      seen.push(...body.items.map((a) => a.id));
      cursor = body.next;
      pages++;
    } while (cursor);
    expect(seen).toHaveLength(31);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(pages).toBe(5);
    expect((await get('/api/alerts?cursor=%24%24')).json().error.code).toBe('BAD_CURSOR');
  });

  it('filters by level, rule, group, source, host, location, text and time', async () => {
    const ids = async (q: string): Promise<number> => ((await get(`/api/alerts?limit=100&${q}`)).json().items as Alert[]).length;
    expect(await ids('level_min=10')).toBe(3);
    expect(await ids('rule_id=100200')).toBe(27);
    expect(await ids('group=sshd')).toBe(1);
    expect(await ids('group=authentication_failed')).toBe(1);
    expect(await ids('group=auth')).toBe(0);
    expect(await ids('srcip=10.0.0.1')).toBe(8);
    expect(await ids('hostname=db1')).toBe(10);
    expect(await ids('location=%2Fvar%2Flog%2Fb.log')).toBe(10);
    expect(await ids('q=seq%3D2')).toBe(11);
    expect(await ids('q=failed%20PASSWORD')).toBe(1);
    expect(await ids('from=2026-03-04T10:05:00Z&to=2026-03-04T10:10:00Z')).toBe(5);
    expect(await ids('level_min=3&hostname=db1&location=%2Fvar%2Flog%2Fa.log')).toBe(7);
    expect((await get('/api/alerts?level_min=banana')).statusCode).toBe(400);
  });

  it('returns one alert by id, and 404 for an unknown one', async () => {
    const first = (await get('/api/alerts?limit=1')).json().items[0] as Alert;
    const one = (await get(`/api/alerts/${first.id}`)).json();
    expect(one).toEqual(first);
    expect(one.user).toBe('bob');
    const missing = await get('/api/alerts/999999');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('NOT_FOUND');
  });

  it('counts per bucket and level, top sources and top rules', async () => {
    const res = await get('/api/stats?from=2026-03-04T10:00:00Z&to=2026-03-04T11:00:00Z&bucket=600');
    const s = res.json();
    expect(s.bucket_seconds).toBe(600);
    expect(s.buckets[0]).toEqual({ time: '2026-03-04T10:00:00.000Z', level: 3, count: 9 });
    expect(s.buckets.filter((b: { level: number }) => b.level === 12).map((b: { count: number }) => b.count)).toEqual([1, 1, 1]);
    expect(s.top_sources[0]).toEqual({ srcip: '10.0.0.0', count: 8 });
    expect(s.top_rules[0]).toMatchObject({ rule_id: 100200, count: 27, level: 3 });
    expect(s.counts).toMatchObject({ alerts: 31, high: 3, stored: 31 });
  });

  it('reports sources, health and metrics', async () => {
    const sources = (await get('/api/sources')).json().items;
    expect(sources).toHaveLength(1);
    expect(sources[0]).toMatchObject({ kind: 'file', state: 'waiting', lines_read: 0, last_error: null });
    const health = (await get('/api/health')).json();
    expect(health).toMatchObject({ status: 'ok', database: { ok: true }, ruleset: { ok: true, rules: 6 }, setup_required: false });
    const metrics = (await get('/metrics')).body;
    expect(metrics).toMatch(/^portcullis_lines_processed_total 31$/m);
    expect(metrics).toMatch(/^portcullis_alerts_total\{level="12"\} 3$/m);
    expect(metrics).toMatch(/^portcullis_db_write_seconds_count 1$/m);
    expect(metrics).toMatch(/^portcullis_queue_depth 0$/m);
    expect(metrics).toMatch(/^portcullis_ingest_queued_lines 0$/m);
    expect(metrics).toContain('portcullis_ingest_lag_seconds_bucket');
    // The ingest thread's garbage-collection pauses (bench/server-ingest.mjs prints what ingest adds).
    const gc = Number(/^portcullis_ingest_gc_seconds_total (\S+)$/m.exec(metrics)?.[1]);
    expect(gc).toBeGreaterThanOrEqual(0);
    expect(gc).toBeLessThan(60);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
  });

  it('never says fewer alerts are stored than a range holds, though the total is counted only every few seconds', async () => {
    const at = Date.parse('2026-03-04T12:00:00Z');
    await app.pipeline.ingest(Array.from({ length: 4 }, (_, i) => ({ line: `Mar  4 12:00:0${i} web1 sshd[1]: Failed password for eve from 192.0.2.9 port 22 ssh2`, location: '/var/log/auth.log', receivedAt: at + i })));
    // The total of the test before is reused (5 s), the range is counted now.
    const s = (await get('/api/stats?from=2026-03-04T10:00:00Z&to=2026-03-04T13:00:00Z&bucket=3600')).json();
    expect(s.counts.alerts).toBe(35);
    expect(s.counts.stored).toBe(35);
    // Five alerts of the rule, for bob and for eve: its row says what the rule says, not "… for eve".
    expect(s.top_rules.find((r: { rule_id: number }) => r.rule_id === 100101)).toMatchObject({ count: 5, description: 'sshd: failed password for $(dstuser)' });
  });

  it('serves a placeholder page when the dashboard is not built', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('dashboard is not built');
  });
});

describe('dashboard files', () => {
  it('serves the built dashboard, falls back to index.html for its routes, and keeps /api answers JSON', async () => {
    const env = makeEnv();
    const web = path.join(env.dir, 'web');
    mkdirSync(path.join(web, 'assets'), { recursive: true });
    writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>Portcullis dashboard</title>');
    writeFileSync(path.join(web, 'assets', 'app.js'), 'console.log(1)');
    const app = await buildApp(testConfig(env), { webRoot: web });
    await app.ready();
    try {
      expect((await app.inject({ method: 'GET', url: '/' })).body).toContain('Portcullis dashboard');
      expect((await app.inject({ method: 'GET', url: '/assets/app.js' })).body).toBe('console.log(1)');
      expect((await app.inject({ method: 'GET', url: '/alerts/42' })).body).toContain('Portcullis dashboard');
      const api = await app.inject({ method: 'GET', url: '/api/nothing' });
      expect(api.statusCode).toBe(404);
      expect(api.json().error.code).toBe('NOT_FOUND');
    } finally {
      await app.close();
      env.cleanup();
    }
  });
});
