// No dashboard read may stall the server (issue 9). With 300,000 alerts stored, the stats over the
// whole range (three GROUP BYs over every alert) and a text search for a line nobody logged (a LIKE
// over every row) run in a reader thread with a read-only connection of its own, over real HTTP on
// a listening app: /api/health answers while they run. Identical stats requests share one query;
// a full reader queue answers 429 with Retry-After; a request whose client left is dropped.
import { request as httpRequest, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertPage, Stats } from '@portcullis/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recountAlerts } from '../../src/modules/alerts/alert-counts.js';
import { makeApp, makeEnv, signIn, waitFor, type SignedIn, type TestEnv } from '../server/helpers.js';

const ALERTS = 300_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const WHOLE = '/api/stats?from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z';
const RARE = '/api/alerts?q=nobody-ever-logged-this';

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** 300,000 alerts, one a second from T0, written in one transaction (the pipeline would take minutes). */
function fill(app: FastifyInstance): void {
  const insert = app.db.prepare(`INSERT INTO alerts (time, event_time, rule_id, level, description, groups, decoder, srcip, user, hostname, program_name, location, full_log, fields)
    VALUES (?, NULL, ?, ?, ?, ',sshd,authentication_failed,', 'sshd', ?, 'root', 'host1', 'sshd', '/var/log/auth.log', ?, '{}')`);
  app.db.transaction(() => {
    for (let i = 0; i < ALERTS; i++) {
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      insert.run(T0 + i * 1000, 5700 + (i % 50), 3 + (i % 10), `rule ${i % 50}`, i % 3 === 0 ? null : ip, `Mar  1 00:00:00 host1 sshd[${i}]: Failed password for root from ${ip} port 22 ssh2`);
    }
  })();
  recountAlerts(app.db);
}

describe('dashboard reads run off the event loop', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  let viewer: SignedIn;
  let port: number;
  /** Names of requests in the order their answers arrived. */
  let answered: string[];

  beforeAll(async () => {
    env = makeEnv();
    // The alerts are from March: retention (90 days by default, checked every 5 s) is off here.
    app = await makeApp(env, { retention: { days: 0, maxAlerts: 0, intervalMs: 60_000 } });
    viewer = await signIn(app, 'viewer');
    fill(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  }, 120_000);
  afterAll(async () => {
    await app.close();
    env.cleanup();
  });

  /** A real HTTP request; `started` gets the ClientRequest (to abort it). */
  function get(name: string, path: string, started?: (req: ClientRequest) => void): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'GET', path, headers: viewer.headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          answered.push(name);
          resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers });
        });
      });
      req.on('error', reject);
      started?.(req);
      req.end();
    });
  }

  /** Resolves once the server has taken a request for `path` (its handler runs in this process too). */
  function arrived(path: string): Promise<void> {
    return new Promise((resolve) => {
      const seen = (req: { url?: string }): void => {
        if (req.url !== path) return;
        app.server.off('request', seen);
        resolve();
      };
      app.server.on('request', seen);
    });
  }

  it('answers /api/health while the stats over all time and a text search for a rare line run', async () => {
    answered = [];
    const taken = arrived(WHOLE);
    const stats = get('stats', WHOLE);
    const search = get('search', RARE);
    await taken;
    const health = await get('health', '/api/health');
    expect(health.status).toBe(200);
    const [s, q] = await Promise.all([stats, search]);
    expect(answered[0]).toBe('health');
    expect(s.status).toBe(200);
    const body = JSON.parse(s.body) as Stats;
    expect(body.counts).toMatchObject({ alerts: ALERTS, stored: ALERTS, high: (ALERTS * 3) / 10 });
    expect(body.counts.by_level).toHaveLength(10);
    expect(body.top_rules[0]).toMatchObject({ rule_id: 5700, count: ALERTS / 50 });
    expect(body.top_sources).toHaveLength(10);
    expect(q.status).toBe(200);
    expect(JSON.parse(q.body)).toEqual({ items: [], next: null });
  });

  it('runs five identical stats requests as one query, and reuses its answer right after', async () => {
    const path = '/api/stats?from=2026-03-01T00:00:00Z&to=2026-03-05T00:00:00Z&bucket=3600';
    const before = app.dbReaders.stats().completed;
    answered = [];
    const five = await Promise.all(Array.from({ length: 5 }, (_, i) => get(`stats-${i}`, path)));
    expect(new Set(five.map((a) => a.body)).size).toBe(1);
    expect(five.every((a) => a.status === 200)).toBe(true);
    // 300,000 s of alerts fill 84 hours, each with all ten levels.
    expect((JSON.parse(five[0]!.body) as Stats).buckets).toHaveLength(84 * 10);
    const again = await get('again', path);
    expect(again.body).toBe(five[0]!.body);
    expect(app.dbReaders.stats().completed - before).toBe(1);
  });

  it('refuses a stats request beyond the running and the waiting ones with 429 and Retry-After, and drops those whose client left', async () => {
    answered = [];
    const reqs: ClientRequest[] = [];
    // Ten questions asked by no one before (top=21..30): one runs, eight wait, the tenth is refused.
    const all = Array.from({ length: 10 }, (_, i) => get(`top-${i + 21}`, `${WHOLE}&top=${i + 21}`, (r) => reqs.push(r)).catch((e: unknown) => e));
    const refused = (await Promise.race(all)) as Answer;
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('10');
    expect(JSON.parse(refused.body).error).toEqual({ code: 'STATS_BUSY', message: 'too many stats requests at once (1 running, 8 waiting); try again in 10 s' });
    const before = app.dbReaders.stats().aborted;
    for (const r of reqs) r.destroy();
    await Promise.all(all);
    await waitFor(() => app.dbReaders.stats().running === 0 && app.dbReaders.stats().queued === 0, 10_000, 'the reader pool to drop the jobs');
    expect(app.dbReaders.stats().aborted - before).toBe(9);
    expect((await get('health', '/api/health')).status).toBe(200);
  });

  it('answers lists an index serves on the event loop, the same as a search would', async () => {
    const before = app.dbReaders.stats().completed;
    const page = JSON.parse((await get('page', '/api/alerts?limit=3')).body) as AlertPage;
    expect(page.items.map((a) => a.id)).toEqual([ALERTS, ALERTS - 1, ALERTS - 2]);
    const byRule = JSON.parse((await get('rule', '/api/alerts?limit=2&rule_id=5701')).body) as AlertPage;
    expect(byRule.items.map((a) => a.rule_id)).toEqual([5701, 5701]);
    expect(app.dbReaders.stats().completed).toBe(before);
    const searched = JSON.parse((await get('search', '/api/alerts?limit=2&q=sshd%5B299999%5D')).body) as AlertPage;
    expect(searched.items.map((a) => a.id)).toEqual([ALERTS]);
    expect(app.dbReaders.stats().completed).toBe(before + 1);
  });

  it('refuses stats in more buckets than an answer should hold, naming the range and the bucket', async () => {
    const res = await get('tiny-buckets', '/api/stats?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=10');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toEqual({
      code: 'TOO_MANY_BUCKETS',
      message: 'from 2026-01-01T00:00:00.000Z to 2026-03-01T00:00:00.000Z in 10-second buckets makes more than 5000 buckets: choose a larger bucket or a shorter range',
    });
  });
});
