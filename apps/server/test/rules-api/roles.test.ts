// Who may call the rules, files, responses, log test and white-list routes: signed out 401,
// viewers read (and run the log test), responders read too, only admins change anything; a
// state-changing call with the session cookie needs the CSRF header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSHD_RULES, makeWorld, signIn, type RulesWorld } from './helpers.js';

const READ = [
  ['GET', '/api/rules'],
  ['GET', '/api/rules/5716'],
  ['GET', '/api/rule-overrides'],
  ['GET', '/api/ruleset/files'],
  ['GET', `/api/ruleset/file?path=${SSHD_RULES}`],
  ['GET', `/api/ruleset/revisions?path=${SSHD_RULES}`],
  ['GET', '/api/responses'],
  ['GET', '/api/whitelist'],
] as const;

const WRITE: Array<[string, string, object | undefined]> = [
  ['PUT', '/api/rules/5716/override', { level: 7, note: 'n' }],
  ['DELETE', '/api/rules/5716/override', undefined],
  ['POST', '/api/ruleset/validate', { path: SSHD_RULES, content: '' }],
  ['PUT', '/api/ruleset/file', { path: SSHD_RULES, content: '', base_hash: 'x', message: 'm' }],
  ['POST', '/api/ruleset/revisions/1/rollback', { message: 'm' }],
  ['POST', '/api/responses/validate', { xml: '' }],
  ['PUT', '/api/responses', { xml: '', base_hash: 'x', message: 'm' }],
  ['POST', '/api/whitelist', { value: '192.0.2.1', note: 'n' }],
  ['DELETE', '/api/whitelist/1', undefined],
];

describe('roles on the rules API', () => {
  let w: RulesWorld;
  beforeAll(async () => {
    w = await makeWorld();
  });
  afterAll(async () => w.close());

  const call = (method: string, url: string, headers: Record<string, string>, payload?: object) =>
    w.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });

  it('declares viewer for reads and the log test, admin for every change', () => {
    const access = (m: string, u: string) => w.app.routeAccess.find((r) => r.method === m && r.url === u)?.access;
    for (const [m, u] of READ) expect(access(m, u.split('?')[0]!.replace('5716', ':id')), u).toBe('viewer');
    expect(access('POST', '/api/logtest')).toBe('viewer');
    for (const [m, u] of WRITE) expect(access(m, u.replace(/\/(5716|1)(\/|$)/, '/:id$2')), `${m} ${u}`).toBe('admin');
  });

  it('answers 401 signed out, 200 to a viewer reading, 403 to a viewer or responder changing', async () => {
    const responder = await signIn(w.app, 'responder');
    for (const [m, u] of READ) {
      expect((await call(m, u, {})).statusCode, `${m} ${u} signed out`).toBe(401);
      expect((await call(m, u, w.viewer.headers)).statusCode, `${m} ${u} viewer`).toBe(200);
    }
    expect((await call('POST', '/api/logtest', {}, { lines: ['x'] })).statusCode).toBe(401);
    expect((await call('POST', '/api/logtest', w.viewer.headers, { lines: ['x'] })).statusCode).toBe(200);
    for (const [m, u, body] of WRITE) {
      expect((await call(m, u, {}, body)).statusCode, `${m} ${u} signed out`).toBe(401);
      expect((await call(m, u, w.viewer.headers, body)).statusCode, `${m} ${u} viewer`).toBe(403);
      expect((await call(m, u, responder.headers, body)).statusCode, `${m} ${u} responder`).toBe(403);
    }
  });

  it('needs the CSRF header from an admin with a session cookie', async () => {
    const r = await call('PUT', '/api/rules/5716/override', { cookie: w.admin.cookie }, { level: 7, note: 'n' });
    expect(r.statusCode).toBe(403);
    expect(r.json().error.code).toBe('CSRF');
    expect((await call('GET', '/api/rules/5716', w.admin.headers)).json()).toMatchObject({ level: 5, override: null });
  });
});
