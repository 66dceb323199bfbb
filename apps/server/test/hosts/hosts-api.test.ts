// /api/hosts: a viewer reads the list (never a secret), an admin adds, rotates and revokes, each
// with an audit row; the list shows what the server sees of each host (lines, alerts, bouncer
// pulls, stale or healthy, auth failures, active decisions).
import type { Host, HostSecrets } from '@portcullis/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, makeEnv, signIn, type SignedIn, type TestEnv } from '../server/helpers.js';

let env: TestEnv;
let app: FastifyInstance;
let admin: SignedIn;
let viewer: SignedIn;

beforeAll(async () => {
  env = makeEnv({ portcullis: '<public_url>https://central.example:8787</public_url>' });
  app = await makeApp(env);
  admin = await signIn(app, 'admin');
  viewer = await signIn(app, 'viewer');
});
afterAll(async () => {
  await app.close();
  env.cleanup();
});

const list = async (who: SignedIn): Promise<Host[]> => {
  const res = await app.inject({ method: 'GET', url: '/api/hosts', headers: who.headers });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: Host[] }).items;
};
const add = (who: SignedIn, name: string) => app.inject({ method: 'POST', url: '/api/hosts', headers: who.headers, payload: { name } });

function insertAlert(host: string | null, time: number): void {
  app.db.prepare(`INSERT INTO alerts (time, rule_id, level, description, groups, location, full_log, host) VALUES (?, 5710, 5, 'x', ',sshd,', 'journald', 'x', ?)`).run(time, host);
}

function insertBlock(ip: string, state: string): number {
  const now = Date.now();
  return Number(app.db.prepare(`INSERT INTO blocks (ip, command, executable, protocol, origin, state, created_at, updated_at) VALUES (?, 'firewall-drop', 'firewall-drop', 'ossec', 'manual', ?, ?, ?)`)
    .run(ip, state, now, now).lastInsertRowid);
}

describe('/api/hosts', () => {
  let web1: HostSecrets;

  it('an admin adds a host: the secrets and ready-to-paste snippets, once, with an audit row', async () => {
    const res = await add(admin, 'web1');
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    web1 = res.json() as HostSecrets;
    expect(web1.name).toBe('web1');
    expect(web1.api_key).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(web1.ingest_token).toMatch(/^pch_/);
    expect(app.hosts.byApiKey(web1.api_key)?.name).toBe('web1');
    expect(app.hosts.byIngestToken(web1.ingest_token)?.name).toBe('web1');
    expect(web1.snippets.bouncer).toContain('api_url: https://central.example:8787/\n');
    expect(web1.snippets.bouncer).toContain(`api_key: ${web1.api_key}\n`);
    expect(web1.snippets.bouncer).toContain('update_frequency: 10s\n');
    expect(web1.snippets.bouncer).toContain('mode: nftables\n');
    expect(web1.snippets.bouncer).toContain('ca_cert_path: /etc/portcullis/ca.crt\n');
    expect(web1.snippets.bouncer_dropin).toMatch(/\[Service\]\nRestart=always\nRestartSec=5\n/);
    expect(web1.snippets.rsyslog).toContain('target="central.example" port="6514"');
    expect(web1.snippets.rsyslog).toContain('StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name"');
    expect(web1.snippets.rsyslog).toContain('TCP_Framing="octet-counted"');
    expect(web1.snippets.rsyslog).toContain('StreamDriver.CertFile="/etc/portcullis/web1.crt"');
    expect(web1.snippets.journal_upload).toMatch(/\[Upload\]\nURL=https:\/\/central\.example:8787\nServerKeyFile=\/etc\/portcullis\/web1\.key\nServerCertificateFile=\/etc\/portcullis\/web1\.crt\nTrustedCertificateFile=\/etc\/portcullis\/ca\.crt\n/);
    expect(web1.host).toMatchObject({ name: 'web1', status: 'stale', last_pull_at: null, lines: 0, active_decisions: 0 });
    const audit = app.db.prepare("SELECT actor, action, target FROM audit WHERE action LIKE 'host.%'").all();
    expect(audit).toEqual([{ actor: expect.stringMatching(/^admin\d+$/), action: 'host.add', target: 'web1' }]);
  });

  it('a viewer reads the list, which never holds a secret, and cannot add, rotate or revoke', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/hosts', headers: viewer.headers });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(web1.api_key);
    expect(res.body).not.toContain(web1.ingest_token);
    expect(res.body).not.toContain('hash');
    expect((res.json() as { items: Host[] }).items.map((h) => h.name)).toEqual(['web1']);
    expect((await add(viewer, 'web2')).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/hosts/web1/rotate', headers: viewer.headers })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: '/api/hosts/web1', headers: viewer.headers })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/hosts' })).statusCode).toBe(401);
    expect(app.hosts.byName('web2')).toBeUndefined();
  });

  it('refuses a bad name and a name taken, saying which', async () => {
    const bad = await add(admin, 'web 1;rm');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'HOST_NAME', message: expect.stringContaining('"web 1;rm"') } });
    const dup = await add(admin, 'web1');
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ error: { code: 'HOST_EXISTS', message: 'a host named "web1" already exists' } });
  });

  it('shows lines and alerts in the last minute, the bouncer, healthy or stale, auth failures and active decisions', async () => {
    const host = app.hosts.byName('web1')!;
    const now = Date.now();
    app.hosts.recordLines(host.id, 7, now - 1000);
    app.hosts.recordLines(host.id, 5, now - 120_000); // counted in the total, not in the last minute
    insertAlert('web1', now - 2000);
    insertAlert('web1', now - 3000);
    insertAlert('web1', now - 90_000);
    insertAlert(null, now - 1000);
    app.hosts.recordPull(host.id, now - 2000, true, 'crowdsec-firewall-bouncer/v0.0.25-debian');
    app.hosts.recordPull(host.id, now - 1000, false, 'crowdsec-firewall-bouncer/v0.0.25-debian');
    app.hosts.recordAuthFailure(host.id, now);
    app.hosts.recordAuthFailure(host.id, now);
    const delivered = insertBlock('203.0.113.5', 'active');
    const waiting = insertBlock('203.0.113.6', 'active');
    const released = insertBlock('203.0.113.7', 'released');
    const ins = app.db.prepare('INSERT INTO block_deliveries (block_id, host_id, added_at) VALUES (?, ?, ?)');
    ins.run(delivered, host.id, now);
    ins.run(waiting, host.id, null);
    ins.run(released, host.id, now);
    insertBlock('203.0.113.8', 'active'); // no delivery to web1: the server's own

    const [h] = await list(viewer);
    expect(h).toMatchObject({
      name: 'web1',
      status: 'healthy',
      stale_since: null,
      lines: 12,
      lines_last_minute: 7,
      alerts_last_minute: 2,
      user_agent: 'crowdsec-firewall-bouncer/v0.0.25-debian',
      poll_interval_ms: 1000,
      auth_failures: 2,
      active_decisions: 2,
      pending_decisions: 1,
      revoked_at: null,
    });
    expect(Date.parse(h!.last_pull_at!)).toBe(now - 1000);
    expect(Date.parse(h!.last_line_at!)).toBe(now - 120_000); // the last recordLines call
  });

  it('a bouncer silent for 3× its poll interval is stale, since when it should have pulled', async () => {
    const host = app.hosts.byName('web1')!;
    const t = Date.now() - 60_000;
    app.hosts.recordPull(host.id, t - 10_000, false, 'crowdsec-firewall-bouncer/v0.0.25');
    app.hosts.recordPull(host.id, t, false, 'crowdsec-firewall-bouncer/v0.0.25'); // interval 10 s, then silence
    const [h] = await list(viewer);
    expect(h!.status).toBe('stale');
    expect(Date.parse(h!.stale_since!)).toBe(t + 30_000);
  });

  it('rotation gives new secrets, the old ones stop at once, with an audit row', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/hosts/web1/rotate', headers: admin.headers });
    expect(res.statusCode).toBe(200);
    const rotated = res.json() as HostSecrets;
    expect(rotated.api_key).not.toBe(web1.api_key);
    expect(rotated.snippets.bouncer).toContain(`api_key: ${rotated.api_key}`);
    expect(app.hosts.byApiKey(web1.api_key)).toBeUndefined();
    expect(app.hosts.byIngestToken(web1.ingest_token)).toBeUndefined();
    expect(app.hosts.byApiKey(rotated.api_key)?.name).toBe('web1');
    web1 = rotated;
    expect((await app.inject({ method: 'POST', url: '/api/hosts/nope/rotate', headers: admin.headers })).json()).toMatchObject({ error: { code: 'NOT_FOUND', message: 'no active host named "nope"' } });
  });

  it('revoking stops the key and the token at once; the host stays listed as revoked', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/api/hosts/web1', headers: admin.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'web1', status: 'revoked', active_decisions: 0 });
    expect(app.hosts.byApiKey(web1.api_key)).toBeUndefined();
    expect(app.hosts.byIngestToken(web1.ingest_token)).toBeUndefined();
    const [h] = await list(viewer);
    expect(h).toMatchObject({ name: 'web1', status: 'revoked', lines: 12 });
    expect(h!.revoked_at).not.toBeNull();
    expect((await app.inject({ method: 'DELETE', url: '/api/hosts/web1', headers: admin.headers })).statusCode).toBe(404);
    expect((await add(admin, 'web1')).statusCode).toBe(409); // a revoked name stays taken: its history keeps it
    const actions = app.db.prepare("SELECT action FROM audit WHERE target = 'web1' AND action LIKE 'host.%' ORDER BY id").pluck().all();
    expect(actions).toEqual(['host.add', 'host.rotate', 'host.revoke']);
  });
});
