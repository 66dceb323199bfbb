// Issue 10: blocks and the per-IP timeline by host. GET /api/blocks?host= lists the blocks with a
// delivery to that host (a server-only block has none); GET /api/ips/:ip gives each alert's host
// and each block's targets.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BlockPage, IpTimeline } from '@portcullis/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { signIn } from '../server/helpers.js';
import { FAKE_COMMAND, FIXTURES, attack, line } from '../active-response/helpers.js';
import { binding } from './world.js';

let dir: string;
let app: FastifyInstance;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'portcullis-by-host-'));
  const arDir = path.join(dir, 'active-response');
  mkdirSync(arDir);
  mkdirSync(path.join(dir, 'fake'));
  copyFileSync(path.join(FIXTURES, 'fake-ar.sh'), path.join(arDir, 'fake-ar.sh'));
  process.env.FAKE_DIR = path.join(dir, 'fake');
  const configPath = path.join(dir, 'ossec.conf');
  writeFileSync(configPath, `<ossec_config>
  <ruleset><decoder_include>${FIXTURES}/decoders.xml</decoder_include><rule_include>${FIXTURES}/rules.xml</rule_include></ruleset>
  ${FAKE_COMMAND}${binding('local')}
  <portcullis><journald>no</journald><active_response_dir>${arDir}</active_response_dir><watch_ruleset>no</watch_ruleset></portcullis>
</ossec_config>`);
  const cfg = resolveServerConfig({ config: configPath, data: path.join(dir, 'data'), listen: '127.0.0.1:0' }, {});
  app = await buildApp(cfg, { webRoot: path.join(dir, 'no-web') });
  await app.ready();
  app.hosts.create('web1', 'test');
  app.hosts.create('web2', 'test');
});

afterEach(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('blocks and the IP timeline by host', () => {
  it('GET /api/blocks?host= lists the blocks delivered to that host, with the other filters; a server-only block has no host', async () => {
    const responder = await signIn(app, 'responder');
    const make = async (ip: string, on: Record<string, unknown>): Promise<number> => {
      const res = await app.inject({ method: 'POST', url: '/api/blocks', headers: responder.headers, payload: { ip, duration: 300, reason: 'r', ...on } });
      expect(res.statusCode).toBe(201);
      return (res.json() as { id: number }).id;
    };
    const one = await make('198.51.100.70', { target: 'hosts', hosts: ['web1'] });
    const both = await make('198.51.100.71', { target: 'hosts', hosts: ['web1', 'web2'] });
    const two = await make('198.51.100.72', { target: 'hosts', hosts: ['web2'] });
    const all = await make('198.51.100.73', { target: 'all' });
    const server = await make('198.51.100.74', {});
    const ids = async (query: string): Promise<number[]> => {
      const res = await app.inject({ method: 'GET', url: `/api/blocks${query}`, headers: responder.headers });
      expect(res.statusCode).toBe(200);
      return (res.json() as BlockPage).items.map((b) => b.id);
    };
    expect(await ids('')).toEqual([server, all, two, both, one]);
    expect(await ids('?host=web1')).toEqual([all, both, one]);
    expect(await ids('?host=web2')).toEqual([all, two, both]);
    expect(await ids('?host=web9')).toEqual([]);
    expect(await ids('?host=web2&ip=198.51.100.72')).toEqual([two]);
    // keyset paging stays within the host
    const first = (await app.inject({ method: 'GET', url: '/api/blocks?host=web1&limit=2', headers: responder.headers })).json() as BlockPage;
    expect(first.items.map((b) => b.id)).toEqual([all, both]);
    expect(await ids(`?host=web1&limit=2&cursor=${encodeURIComponent(first.next!)}`)).toEqual([one]);
    const bad = await app.inject({ method: 'GET', url: '/api/blocks?host=', headers: responder.headers });
    expect(bad.statusCode).toBe(400);
  });

  it("GET /api/ips/:ip gives each alert's host and each block's hosts", async () => {
    const ip = '198.51.100.80';
    const feed = async (host?: string): Promise<void> => {
      await app.pipeline.ingest([{ line: line(attack(ip)), location: '/var/log/auth.log', receivedAt: Date.now(), host }]);
      await app.activeResponse.service.idle();
    };
    const viewer = await signIn(app, 'viewer');
    const timeline = async (): Promise<IpTimeline> => {
      const res = await app.inject({ method: 'GET', url: `/api/ips/${ip}`, headers: viewer.headers });
      expect(res.statusCode).toBe(200);
      return res.json() as IpTimeline;
    };
    await feed('web2'); // <location>local: web2's line blocks on web2 only
    let t = await timeline();
    expect(t.events.filter((e) => e.kind === 'alert').map((e) => e.host)).toEqual(['web2']);
    expect(t.blocks.map((b) => b.targets)).toMatchObject([{ server: false, hosts: [{ name: 'web2' }] }]);
    expect(t.current?.targets).toMatchObject({ server: false, hosts: [{ name: 'web2' }] });
    await feed(); // the server's own line: no host, and the same block now runs on the server too
    t = await timeline();
    expect(t.events.filter((e) => e.kind === 'alert').map((e) => e.host)).toEqual([null, 'web2']);
    expect(t.blocks.map((b) => b.targets)).toMatchObject([{ server: true, hosts: [{ name: 'web2' }] }]);
  });
});
