// The HTTP API, roles, audit, socket.io events and the admin socket, on a real app with the
// active-response plugin and the fake script.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Block, BlockDetail, BlockPage, IpTimeline, LiveBlockChange } from '@portcullis/shared';
import type { FastifyInstance } from 'fastify';
import { io as connect } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import activeResponse from '../../src/modules/active-response/active-response.plugin.js';
import { adminRequest } from '../../src/modules/active-response/admin-socket.js';
import { signIn, token, waitFor } from '../server/helpers.js';
import { FAKE_COMMAND, FIXTURES, attack, fakeBinding, line } from './helpers.js';

let dir: string;
let app: FastifyInstance;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'portcullis-ar-api-'));
  const arDir = path.join(dir, 'active-response');
  mkdirSync(arDir);
  mkdirSync(path.join(dir, 'fake'));
  copyFileSync(path.join(FIXTURES, 'fake-ar.sh'), path.join(arDir, 'fake-ar.sh'));
  process.env.FAKE_DIR = path.join(dir, 'fake');
  const configPath = path.join(dir, 'ossec.conf');
  writeFileSync(configPath, `<ossec_config>
  <ruleset><decoder_include>${FIXTURES}/decoders.xml</decoder_include><rule_include>${FIXTURES}/rules.xml</rule_include></ruleset>
  ${FAKE_COMMAND}${fakeBinding()}
  <portcullis><journald>no</journald><active_response_dir>${arDir}</active_response_dir><watch_ruleset>no</watch_ruleset></portcullis>
</ossec_config>`);
  const cfg = resolveServerConfig({ config: configPath, data: path.join(dir, 'data'), listen: '127.0.0.1:0' }, {});
  app = await buildApp(cfg, { webRoot: path.join(dir, 'no-web') });
  if (!app.hasPlugin('active-response')) await app.register(activeResponse);
  await app.ready();
});

afterEach(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ingest(...messages: string[]): Promise<void> {
  await app.pipeline.ingest(messages.map((m) => ({ line: line(m), location: '/var/log/test.log', receivedAt: Date.now() })));
}

describe('blocks API', () => {
  it('lets responders block and release with a reason, viewers only look, and audits both', async () => {
    const viewer = await signIn(app, 'viewer');
    const responder = await signIn(app, 'responder');
    const admin = await signIn(app, 'admin');
    const body = { ip: '203.0.113.40', duration: 300, reason: 'port scan' };
    expect((await app.inject({ method: 'POST', url: '/api/blocks', headers: viewer.headers, payload: body })).statusCode).toBe(403);

    const created = await app.inject({ method: 'POST', url: '/api/blocks', headers: responder.headers, payload: body });
    expect(created.statusCode).toBe(201);
    const block = created.json() as Block;
    expect(block).toMatchObject({ ip: '203.0.113.40', command: 'fake', state: 'active', reason: 'port scan', offense: 1, verified: true, rule_id: null, alert_id: null, released_at: null });
    expect(Date.parse(block.expires_at!) - Date.parse(block.created_at)).toBe(300_000);

    const list = (await app.inject({ url: '/api/blocks?state=active', headers: viewer.headers })).json() as BlockPage;
    expect(list.items.map((b) => b.id)).toEqual([block.id]);
    const detail = (await app.inject({ url: `/api/blocks/${block.id}`, headers: viewer.headers })).json() as BlockDetail;
    expect(detail.runs.map((r) => [r.action, r.exit_code])).toEqual([['add', 0], ['check', 0]]);
    expect(detail.runs[0]!.argv).toEqual(['add', '-', '203.0.113.40', '-', '-', '-', '-']);

    const noReason = await app.inject({ method: 'POST', url: `/api/blocks/${block.id}/release`, headers: responder.headers, payload: {} });
    expect(noReason.statusCode).toBe(400);
    const released = await app.inject({ method: 'POST', url: `/api/blocks/${block.id}/release`, headers: responder.headers, payload: { reason: 'false positive', grace_seconds: 600 } });
    expect(released.statusCode).toBe(200);
    expect(released.json()).toMatchObject({ state: 'released', released_by: expect.stringMatching(/^responder/), reason: 'false positive', block_reason: 'port scan' });

    const audit = (await app.inject({ url: '/api/audit?action=block.create', headers: admin.headers })).json() as { items: { actor: string; target: string }[] };
    expect(audit.items).toEqual([expect.objectContaining({ actor: expect.stringMatching(/^responder/), target: '203.0.113.40' })]);
    const rel = (await app.inject({ url: '/api/audit?action=block.release', headers: admin.headers })).json() as { items: unknown[] };
    expect(rel.items).toHaveLength(1);

    const filtered = (await app.inject({ url: '/api/blocks?state=released&ip=203.0.113.40&command=fake', headers: viewer.headers })).json() as BlockPage;
    expect(filtered.items).toHaveLength(1);
    expect((await app.inject({ url: '/api/blocks?state=bogus', headers: viewer.headers })).statusCode).toBe(400);
  });

  it('refuses a protected address with 409 and keeps the refusal in the history', async () => {
    const responder = await signIn(app, 'responder');
    const res = await app.inject({ method: 'POST', url: '/api/blocks', headers: responder.headers, payload: { ip: '127.0.0.1', duration: 60, reason: 'x' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'BLOCK_REFUSED' } });
    const list = (await app.inject({ url: '/api/blocks?state=refused', headers: responder.headers })).json() as BlockPage;
    expect(list.items[0]).toMatchObject({ ip: '127.0.0.1', reason: 'protected: loopback address' });
  });

  it('does not block the address a signed-in admin uses', async () => {
    await app.accounts.createUser({ name: 'test', ip: null }, { username: 'boss', password: 'a-long-password-1', role: 'admin' });
    const login = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'boss', password: 'a-long-password-1' }, remoteAddress: '198.51.100.99' });
    expect(login.statusCode).toBe(200);
    await ingest(attack('198.51.100.99'), attack('198.51.100.98'));
    await app.activeResponse.service.idle();
    const rows = app.activeResponse.deps.blocks.list({ limit: 10 }).reverse();
    expect(rows.map((r) => [r.ip, r.state, r.reason])).toEqual([
      ['198.51.100.99', 'refused', 'protected: address of a signed-in admin'],
      ['198.51.100.98', 'active', null],
    ]);
  });

  it('shows one timeline per address', async () => {
    const viewer = await signIn(app, 'viewer');
    await ingest(attack('203.0.113.41'));
    await app.activeResponse.service.idle();
    const t = (await app.inject({ url: '/api/ips/203.0.113.41', headers: viewer.headers })).json() as IpTimeline;
    expect(t).toMatchObject({ ip: '203.0.113.41', alert_count: 1, current: { state: 'active', rule_id: 100301 } });
    expect(t.events.some((e) => e.kind === 'alert' && e.detail?.includes('attack from 203.0.113.41'))).toBe(true);
    expect((await app.inject({ url: '/api/ips/not-an-ip', headers: viewer.headers })).statusCode).toBe(400);
  });

  it('emits a socket.io `block` event for every change', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const client = connect(`http://127.0.0.1:${port}`, { auth: { token: token(app, 'viewer') }, transports: ['websocket'] });
    const seen: string[] = [];
    client.on('block', (c: LiveBlockChange) => seen.push(`${c.block.ip}:${c.block.state}`));
    await waitFor(() => client.connected, 5000, 'socket connected');
    await ingest(attack('203.0.113.42'));
    await waitFor(() => seen.includes('203.0.113.42:active'), 5000, 'active event');
    expect(seen[0]).toBe('203.0.113.42:pending');
    client.close();
  });
});

describe('admin socket', () => {
  it('blocks and releases for the CLI, as cli:<user>, with a 0600 socket in the data dir', async () => {
    const sock = path.join(dir, 'data', 'admin.sock');
    expect(existsSync(sock)).toBe(true);
    expect(statSync(sock).mode & 0o777).toBe(0o600);
    expect(await adminRequest(sock, { op: 'ping' })).toEqual({ ok: true, result: 'pong' });
    const b = await adminRequest(sock, { op: 'block', ip: '203.0.113.43', timeout: 60, reason: 'break glass', actor: 'root' });
    expect(b).toMatchObject({ ok: true, result: { created: true, block: { ip: '203.0.113.43', state: 'active', created_by: 'cli:root' } } });
    const r = await adminRequest(sock, { op: 'release', ip: '203.0.113.43', reason: 'done', actor: 'root' });
    expect(r).toMatchObject({ ok: true, result: { blocks: [{ state: 'released', released_by: 'cli:root' }] } });
    expect(await adminRequest(sock, { op: 'release', ip: '203.0.113.43', reason: 'again', actor: 'root' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await adminRequest(sock, { op: 'block', ip: '1.2.3.4;id', reason: 'x', actor: 'root' })).toMatchObject({ ok: false, error: { code: 'BAD_IP' } });
  });
});
