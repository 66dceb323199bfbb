// Clickjacking, MIME sniffing, injected scripts and Referer leaks: every response, the dashboard's
// and the API's, errors included, carries the headers that stop them in the browser.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { makeEnv, signIn, testConfig, type SignedIn, type TestEnv } from '../server/helpers.js';

function expectHeaders(res: { headers: Record<string, unknown> }, what: string): void {
  const csp = String(res.headers['content-security-policy'] ?? '');
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
  expect(directives.get('script-src'), `${what}: script-src`).toEqual(["'self'"]);
  expect(directives.get('object-src'), `${what}: object-src`).toEqual(["'none'"]);
  expect(directives.get('base-uri'), `${what}: base-uri`).toEqual(["'self'"]);
  expect(directives.get('frame-ancestors'), `${what}: frame-ancestors`).toEqual(["'none'"]);
  expect(directives.get('default-src'), `${what}: default-src`).toEqual(["'self'"]);
  expect(directives.get('connect-src'), `${what}: connect-src`).toEqual(["'self'", 'ws:', 'wss:']);
  expect(res.headers['x-frame-options'], what).toBe('DENY');
  expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  expect(res.headers['referrer-policy'], what).toBe('same-origin');
}

describe('security headers on every response', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  let admin: SignedIn;
  beforeAll(async () => {
    env = makeEnv();
    const webRoot = path.join(env.dir, 'web');
    mkdirSync(path.join(webRoot, 'assets'), { recursive: true });
    writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>');
    writeFileSync(path.join(webRoot, 'assets', 'app.js'), 'console.log("hi");\n');
    app = await buildApp(testConfig(env), { webRoot });
    await app.ready();
    admin = await signIn(app, 'admin');
  });
  afterAll(async () => {
    await app.close();
    env.cleanup();
  });

  const cases: Array<[string, InjectOptions, number]> = [
    ['the dashboard', { method: 'GET', url: '/' }, 200],
    ['a dashboard route (SPA fallback)', { method: 'GET', url: '/alerts?level=10' }, 200],
    ['a script asset', { method: 'GET', url: '/assets/app.js' }, 200],
    ['a public API route', { method: 'GET', url: '/api/session' }, 200],
    ['an API route without a session', { method: 'GET', url: '/api/alerts' }, 401],
    ['an unknown API route', { method: 'GET', url: '/api/nothing-here' }, 404],
    ['a body that fails validation', { method: 'POST', url: '/api/session', payload: { username: 1 } }, 400],
    ['broken JSON', { method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: '{' }, 400],
    ['a bad API token', { method: 'GET', url: '/api/alerts', headers: { authorization: 'Bearer pct_nope' } }, 401],
  ];

  for (const [what, req, status] of cases) {
    it(`are on ${what} (${status})`, async () => {
      const res = await app.inject(req);
      expect(res.statusCode, what).toBe(status);
      expectHeaders(res, what);
    });
  }

  it('are on signed-in API answers and on a refused sign-in (429)', async () => {
    expectHeaders(await app.inject({ method: 'GET', url: '/api/alerts', headers: admin.headers }), 'alerts');
    let last = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'x', password: 'y' }, remoteAddress: '203.0.113.99' });
    for (let i = 0; i < 10 && last.statusCode !== 429; i++) {
      last = await app.inject({ method: 'POST', url: '/api/session', payload: { username: `x${i}`, password: 'y' }, remoteAddress: '203.0.113.99' });
    }
    expect(last.statusCode).toBe(429);
    expectHeaders(last, '429');
  });

  it('are on the placeholder page when the dashboard is not built', async () => {
    const bare = await buildApp(testConfig(env), { webRoot: path.join(env.dir, 'no-web') });
    try {
      const res = await bare.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(200);
      expectHeaders(res, 'placeholder');
    } finally {
      await bare.close();
    }
  });
});
