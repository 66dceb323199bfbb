import type { FastifyInstance, HTTPMethods } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { allowed, type Access } from '../../src/plugins/auth.js';
import { makeEnv, signIn, testConfig, token, type SignedIn, type TestEnv } from './helpers.js';

const ORDER = ['viewer', 'responder', 'admin'] as const;
const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A URL to call for a route pattern (params filled with 1). */
const concrete = (url: string): string => url.replace(/:\w+/g, '1');

describe('auth: every route checks who is asking', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  const as: Record<string, SignedIn> = {};

  beforeAll(async () => {
    env = makeEnv();
    app = await buildApp(testConfig(env));
    await app.ready();
    for (const role of ORDER) as[role] = await signIn(app, role);
  });
  afterAll(async () => {
    await app.close();
    env.cleanup();
  });

  it('lists the write routes it checks', () => {
    const writes = collect(app).filter((r) => WRITE.has(r.method) && r.access !== 'public');
    expect(writes.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining(['POST /api/users', 'DELETE /api/session', 'POST /api/ingest', 'POST /api/ruleset/reload', 'POST /api/tokens']));
  });

  it('answers 401 to every non-public route without a session', async () => {
    for (const r of collect(app).filter((x) => x.access !== 'public')) {
      const res = await app.inject({ method: r.method as HTTPMethods, url: concrete(r.url), payload: WRITE.has(r.method) ? {} : undefined });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    }
  });

  it('answers 403 to every write route when the role is too low', async () => {
    let checked = 0;
    for (const r of collect(app).filter((x) => WRITE.has(x.method) && x.access !== 'public')) {
      for (const role of ORDER) {
        if (allowed(role, r.access)) continue;
        const res = await app.inject({ method: r.method as HTTPMethods, url: concrete(r.url), headers: as[role]!.headers, payload: {} });
        expect(res.statusCode, `${role} ${r.method} ${r.url}`).toBe(403);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('refuses a state change with the session cookie but without the CSRF token', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/ruleset/reload', headers: { cookie: as.admin!.cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('CSRF');
    const ok = await app.inject({ method: 'POST', url: '/api/ruleset/reload', headers: as.admin!.headers });
    expect(ok.statusCode).toBe(200);
  });

  it('scopes API tokens by role: an ingest token can only ingest', async () => {
    const ingest = token(app, 'ingest');
    const viewer = token(app, 'viewer');
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    expect((await app.inject({ method: 'GET', url: '/api/alerts', headers: auth(ingest) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/ingest', headers: { ...auth(ingest), 'content-type': 'text/plain' }, payload: 'hello' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/alerts', headers: auth(viewer) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/ingest', headers: { ...auth(viewer), 'content-type': 'text/plain' }, payload: 'hello' })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/alerts', headers: auth('pct_nope') })).statusCode).toBe(401);
  });

  it('signs in and out, and the cookie is httpOnly and SameSite', async () => {
    await app.accounts.createUser({ name: 'test', ip: null }, { username: 'carol', password: 'carol-password-1', role: 'responder' });
    const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'carol', password: 'carol-password-1', admin: true } });
    expect(res.statusCode).toBe(200);
    const c = res.cookies.find((x) => x.name === 'portcullis_session')!;
    expect(c.httpOnly).toBe(true);
    expect(c.sameSite).toBe('Strict');
    const headers = { cookie: `portcullis_session=${c.value}`, 'x-csrf-token': res.json().csrf_token as string };
    const me = await app.inject({ method: 'GET', url: '/api/session', headers });
    expect(me.json().user).toMatchObject({ username: 'carol', role: 'responder' });
    expect((await app.inject({ method: 'DELETE', url: '/api/session', headers })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/session', headers })).json().user).toBeNull();
    expect((await app.inject({ method: 'GET', url: '/api/alerts', headers })).statusCode).toBe(401);
  });

  it('rate-limits failed sign-ins per address, and one account from one address sooner', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username: `mallory${i}`, password: 'wrong' }, remoteAddress: '203.0.113.50' });
      codes.push(res.statusCode);
      if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(800);
    }
    expect(codes).toEqual([...Array(10).fill(401), 429, 429]);
    // Another address is not held back by mallory's failures.
    const other = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'mallory0', password: 'wrong' }, remoteAddress: '203.0.113.51' });
    expect(other.statusCode).toBe(401);
    // One name from one address backs off after 5 failures.
    const one: number[] = [];
    for (let i = 0; i < 7; i++) {
      one.push((await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'trent', password: 'wrong' }, remoteAddress: '203.0.113.52' })).statusCode);
    }
    expect(one).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('drops unknown fields and answers validation errors in the one error format', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/users', headers: as.admin!.headers, payload: { username: 'dave', password: 'dave-password-1', role: 'viewer', disabled: true, id: 999 } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ username: 'dave', role: 'viewer', disabled: false });
    expect(res.json().id).not.toBe(999);
    const bad = await app.inject({ method: 'POST', url: '/api/users', headers: as.admin!.headers, payload: { username: 'eve', password: 'short', role: 'root' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'VALIDATION' } });
    const missing = await app.inject({ method: 'GET', url: '/api/nothing-here', headers: as.admin!.headers });
    expect(missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('keeps the last admin', async () => {
    const admins = app.accounts.listUsers().filter((u) => u.role === 'admin');
    for (const u of admins.slice(1)) app.accounts.deleteUser({ name: 'test', ip: null }, u.id);
    const res = await app.inject({ method: 'PATCH', url: `/api/users/${admins[0]!.id}`, headers: as.admin!.headers, payload: { role: 'viewer' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('LAST_ADMIN');
  });

  it('audits every state change with actor, address, before and after', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/users', headers: as.admin!.headers, payload: { username: 'frank', password: 'frank-password-1', role: 'viewer' }, remoteAddress: '192.0.2.77' });
    const id = created.json().id as number;
    await app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: as.admin!.headers, payload: { role: 'responder' }, remoteAddress: '192.0.2.77' });
    const res = await app.inject({ method: 'GET', url: '/api/audit?action=user.update', headers: as.admin!.headers });
    const entry = res.json().items[0];
    expect(entry).toMatchObject({ actor: expect.stringMatching(/^admin/), source_ip: '192.0.2.77', action: 'user.update', target: 'frank' });
    expect(entry.before).toMatchObject({ role: 'viewer' });
    expect(entry.after).toMatchObject({ role: 'responder' });
    expect((await app.inject({ method: 'GET', url: '/api/audit', headers: as.viewer!.headers })).statusCode).toBe(403);
    const logins = (await app.inject({ method: 'GET', url: '/api/audit?action=session.login&limit=2', headers: as.admin!.headers })).json();
    expect(logins.items).toHaveLength(2);
    expect(logins.next).toEqual(expect.any(String));
  });
});

describe('first admin', () => {
  it('is created once with the setup token printed at start', async () => {
    const env = makeEnv();
    const app = await buildApp(testConfig(env));
    await app.ready();
    try {
      expect((await app.inject({ method: 'GET', url: '/api/health' })).json().setup_required).toBe(true);
      const setupToken = app.accounts.issueSetupToken()!;
      const body = { token: 'setup_wrong', username: 'root', password: 'root-password-1' };
      expect((await app.inject({ method: 'POST', url: '/api/setup', payload: body })).statusCode).toBe(403);
      expect((await app.inject({ method: 'POST', url: '/api/setup', payload: { ...body, token: setupToken } })).statusCode).toBe(201);
      expect((await app.inject({ method: 'POST', url: '/api/setup', payload: { ...body, token: setupToken, username: 'root2' } })).statusCode).toBe(409);
      const login = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'root', password: 'root-password-1' } });
      expect(login.json().user.role).toBe('admin');
    } finally {
      await app.close();
      env.cleanup();
    }
  });
});

/** Every route with its method, URL pattern and access, as the auth hook sees them. */
function collect(app: FastifyInstance): Array<{ method: string; url: string; access: Access }> {
  return app.routeAccess;
}
