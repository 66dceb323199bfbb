// Guessing secrets over the network: sign-in passwords, the setup token, API tokens. Each attempt
// that reaches the password check and fails answers 401 and leaves one `session.login_failed`
// audit row; an attempt held back by the limit answers 429 and checks nothing. So the 401s count
// the password verifications, without timing anything.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { AccountsService } from '../../src/modules/accounts/accounts.service.js';
import { LoginLimiter } from '../../src/modules/accounts/login-limiter.js';
import { AuditRepository } from '../../src/modules/audit/audit.repository.js';
import { migrationsDir } from '../../src/paths.js';
import { makeApp, makeEnv, token, type TestEnv } from '../server/helpers.js';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RIGHT = 'alice-password-1';
const A = '203.0.113.10';
const B = '198.51.100.7';

function auditCount(db: Db, action: string): number {
  return db.prepare('SELECT count(*) FROM audit WHERE action = ?').pluck().get(action) as number;
}

describe('sign-in over HTTP under a parallel guessing burst', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  afterEach(async () => {
    await app.close();
    env.cleanup();
  });

  it('lets at most 10 of 500 parallel bad sign-ins on one account reach the password check, and the right password from another address still works', async () => {
    env = makeEnv();
    app = await makeApp(env);
    await app.accounts.createUser({ name: 'test', ip: null }, { username: 'alice', password: RIGHT, role: 'admin' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };

    const responses = await Promise.all(Array.from({ length: 500 }, (_, i) =>
      fetch(`http://127.0.0.1:${port}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: `guess-${i}` }),
      }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() }))));

    const count = (s: number): number => responses.filter((r) => r.status === s).length;
    const checked = count(401);
    console.log(`500 parallel bad sign-ins from one address: ${checked} reached the password check, ${count(429)} were refused`);
    expect(checked + count(429)).toBe(500);
    expect(checked).toBeLessThanOrEqual(10);
    expect(auditCount(app.db, 'session.login_failed')).toBe(checked);
    const limited = responses.find((r) => r.status === 429)!;
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect(JSON.parse(limited.body)).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    // The refusals are in the audit trail: the first after each counted failure, not every one.
    const limitedRows = auditCount(app.db, 'session.login_limited');
    expect(limitedRows).toBeGreaterThan(0);
    expect(limitedRows).toBeLessThanOrEqual(checked + 1);

    // The real user elsewhere is not locked out by the attacker's address.
    const real = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'alice', password: RIGHT }, remoteAddress: B });
    expect(real.statusCode).toBe(200);
    expect(real.json().user).toMatchObject({ username: 'alice' });
  }, 60_000);

  it('limits bad API tokens per address: past 10, even a good token from that address waits, and other addresses do not', async () => {
    env = makeEnv();
    app = await makeApp(env);
    const good = token(app, 'viewer');
    const get = (t: string, ip: string) => app.inject({ method: 'GET', url: '/api/alerts', headers: { authorization: `Bearer ${t}` }, remoteAddress: ip });
    for (let i = 0; i < 10; i++) expect((await get(`pct_guess${i}`, A)).statusCode).toBe(401);
    const next = await get('pct_guess-more', A);
    expect(next.statusCode).toBe(429);
    expect(Number(next.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get(good, A)).statusCode).toBe(429);
    expect((await get(good, B)).statusCode).toBe(200);
    expect(auditCount(app.db, 'token.limited')).toBe(1);
    // Bad tokens do not spend the sign-in budget of that address.
    const user = await app.accounts.createUser({ name: 'test', ip: null }, { username: 'alice', password: RIGHT, role: 'viewer' });
    expect(user.username).toBe('alice');
    const login = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'alice', password: RIGHT }, remoteAddress: A });
    expect(login.statusCode).toBe(200);
  });

  it('limits setup-token guesses per address and audits them', async () => {
    env = makeEnv();
    app = await makeApp(env);
    const setupToken = app.accounts.issueSetupToken()!;
    const setup = (t: string, ip: string) => app.inject({ method: 'POST', url: '/api/setup', payload: { token: t, username: 'root', password: 'root-password-1' }, remoteAddress: ip });
    for (let i = 0; i < 10; i++) expect((await setup(`setup_guess${i}`, A)).statusCode).toBe(403);
    expect((await setup(setupToken, A)).statusCode).toBe(429);
    expect(auditCount(app.db, 'setup.failed')).toBe(10);
    expect(auditCount(app.db, 'setup.limited')).toBe(1);
    expect((await setup(setupToken, B)).statusCode).toBe(201);
  });
});

describe('sign-in limits, per address and per account from that address', () => {
  let dir: string;
  let db: Db;
  let accounts: AccountsService;
  const setUp = async (): Promise<void> => {
    dir = mkdtempSync(path.join(tmpdir(), 'portcullis-limit-'));
    db = openDatabase(path.join(dir, 'portcullis.db'));
    migrate(db, migrationsDir);
    accounts = new AccountsService(db, new AuditRepository(db));
    await accounts.createUser({ name: 'test', ip: null }, { username: 'alice', password: RIGHT, role: 'admin' });
  };
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ten bad passwords from address A hold back A, not the right password from address B', async () => {
    await setUp();
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) codes.push(await accounts.login('alice', `wrong-${i}`, A).then(() => 'OK', (e: { code: string }) => e.code));
    // Five checked, then the account backs off from A (1 s after the last failure, doubling).
    expect(codes).toEqual([...Array(5).fill('UNAUTHENTICATED'), ...Array(5).fill('RATE_LIMITED')]);
    await expect(accounts.login('alice', RIGHT, A)).rejects.toMatchObject({ code: 'RATE_LIMITED', statusCode: 429 });
    // The name's case does not make a fresh account key.
    await expect(accounts.login('ALICE', RIGHT, A)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    const ok = await accounts.login('alice', RIGHT, B);
    expect(ok.info.user).toMatchObject({ username: 'alice' });
  });

  it('counts parallel attempts before checking the password: of 50 at once from one address, 10 are checked (5 on one account)', async () => {
    await setUp();
    const codesOf = async (attempts: Array<Promise<unknown>>): Promise<string[]> =>
      (await Promise.allSettled(attempts)).map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'OK'));
    const many = await codesOf(Array.from({ length: 50 }, (_, i) => accounts.login(`user${i % 25}`, `wrong-${i}`, A)));
    expect(many.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(10);
    expect(many.filter((c) => c === 'RATE_LIMITED')).toHaveLength(40);
    const one = await codesOf(Array.from({ length: 50 }, (_, i) => accounts.login('alice', `wrong-${i}`, B)));
    expect(one.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(one.filter((c) => c === 'RATE_LIMITED')).toHaveLength(45);
  });

  it('limits IPv6 by /64, and IPv4-mapped addresses as IPv4', async () => {
    await setUp();
    for (let i = 1; i <= 10; i++) await expect(accounts.login(`user${i}`, 'wrong', `2001:db8:0:7::${i.toString(16)}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(accounts.login('alice', RIGHT, '2001:db8:0:7:ffff::1')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect((await accounts.login('alice', RIGHT, '2001:db8:0:8::1')).info.user).toMatchObject({ username: 'alice' });
    for (let i = 0; i < 10; i++) await expect(accounts.login(`user${i}`, 'wrong', A)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(accounts.login('alice', RIGHT, `::ffff:${A}`)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('backs off one account from one address after 5 failures, 1 s doubling to 5 min, without touching other accounts or addresses', () => {
    const limiter = new LoginLimiter();
    const t0 = 1_000_000;
    const fail = (account: string, ip: string, at: number): void => {
      const a = limiter.admit(ip, account, at);
      if (!a.ok) throw new Error(`refused at ${at}`);
      a.finish(false, at);
    };
    for (let i = 0; i < 5; i++) fail('alice', A, t0);
    expect(limiter.admit(A, 'alice', t0)).toMatchObject({ ok: false, by: 'account', retryAfter: 1 });
    // Another account from the same address, and the same account from another, are not delayed.
    const bob = limiter.admit(A, 'bob', t0);
    expect(bob.ok).toBe(true);
    if (bob.ok) bob.finish(true, t0);
    const fromB = limiter.admit(B, 'alice', t0);
    expect(fromB.ok).toBe(true);
    if (fromB.ok) fromB.finish(true, t0);

    fail('alice', A, t0 + 1000);
    expect(limiter.admit(A, 'alice', t0 + 2999)).toMatchObject({ ok: false, retryAfter: 1 });
    expect(limiter.admit(A, 'alice', t0 + 2000)).toMatchObject({ ok: false, retryAfter: 1 });
    const third = limiter.admit(A, 'alice', t0 + 3000);
    expect(third.ok).toBe(true);
    // Only one attempt at a time once backing off.
    expect(limiter.admit(A, 'alice', t0 + 3000)).toMatchObject({ ok: false, by: 'account' });
    if (third.ok) third.finish(false, t0 + 3000);
    expect(limiter.admit(A, 'alice', t0 + 3000)).toMatchObject({ ok: false, retryAfter: 4 });

    expect([5, 6, 7, 8, 12, 13, 20].map((n) => limiter.backoffMs(n))).toEqual([1000, 2000, 4000, 8000, 128_000, 256_000, 300_000]);
  });

  it('a successful sign-in clears that account\'s backoff from that address, not the address budget', () => {
    const limiter = new LoginLimiter();
    const t0 = 5_000_000;
    const attempt = (ok: boolean): void => {
      const a = limiter.admit(A, 'alice', t0);
      if (!a.ok) throw new Error('refused');
      a.finish(ok, t0);
    };
    for (let i = 0; i < 4; i++) attempt(false);
    attempt(true);
    for (let i = 0; i < 4; i++) attempt(false);
    expect(limiter.admit(A, 'alice', t0).ok).toBe(true);
    // The success did not refund the address: 9 failures and 1 success leave room for one more.
    const other = new LoginLimiter();
    for (let i = 0; i < 10; i++) {
      const a = other.admit(A, `user${i}`, t0);
      if (a.ok) a.finish(i === 9, t0);
    }
    const s = other.admit(A, 'user11', t0 + 1);
    expect(s.ok).toBe(true);
    if (s.ok) s.finish(false, t0 + 1);
    expect(other.admit(A, 'user12', t0 + 2)).toMatchObject({ ok: false, by: 'address' });
    expect(other.admit(A, 'user12', t0 + 15 * 60_000 + 1).ok).toBe(true);
  });
});

describe('portcullis user passwd', () => {
  it('sets a new password from the command line; old sessions end and the new password signs in', async () => {
    const env = makeEnv();
    try {
      const run = (args: string[], input: string) =>
        spawnSync(process.execPath, [path.join(serverDir, 'bin', 'portcullis.js'), 'user', ...args, '--config', env.configPath, '--data', env.dataDir], { input, encoding: 'utf8' });
      expect(run(['add', 'root', '--role', 'admin'], 'root-password-1\n').status).toBe(0);
      const before = await makeApp(env);
      let cookie: string;
      try {
        const res = await before.inject({ method: 'POST', url: '/api/session', payload: { username: 'root', password: 'root-password-1' } });
        cookie = `portcullis_session=${res.cookies.find((c) => c.name === 'portcullis_session')!.value}`;
        expect((await before.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().user).toMatchObject({ username: 'root' });
      } finally {
        await before.close();
      }
      const changed = run(['passwd', 'root'], 'root-password-2\n');
      expect(changed.stderr).toBe('');
      expect(changed.stdout).toContain('password of root changed');
      const missing = run(['passwd', 'nobody'], 'nobody-password-1\n');
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('no user "nobody"');
      expect(run(['passwd', 'root'], 'short\n').status).toBe(2);
      const app = await makeApp(env);
      try {
        expect((await app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().user).toBeNull();
        const old = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'root', password: 'root-password-1' } });
        expect(old.statusCode).toBe(401);
        const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'root', password: 'root-password-2' } });
        expect(res.statusCode).toBe(200);
        expect(auditCount(app.db, 'user.update')).toBe(1);
      } finally {
        await app.close();
      }
    } finally {
      env.cleanup();
    }
  });
});
