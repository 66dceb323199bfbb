// A bouncer's startup answer at scale: written as JSON text directly (the same decisions as the
// object model), committed with one statement per kind whatever its size (a restart with nothing
// changed rewrites no row of what the bouncer holds), and startup answers taking turns so a plain
// poll is not held behind bouncers restarting together.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { FAKE_COMMAND, FIXTURES, attack, line } from '../active-response/helpers.js';
import { binding, makeHostsWorld, type HostsWorld } from './world.js';

let w: HostsWorld | null = null;
let app: FastifyInstance | null = null;
let dir: string | null = null;
afterEach(async () => {
  await w?.close();
  w?.cleanup();
  w = null;
  await app?.close();
  app = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const changes = (hw: HostsWorld): number => hw.db.prepare('SELECT total_changes()').pluck().get() as number;

describe('startup answers', () => {
  it('a restarted bouncer with nothing changed gets its full set and no row of bouncer_sent is rewritten', async () => {
    w = makeHostsWorld(['web1'], { config: `${FAKE_COMMAND}<active-response><command>fake</command><location>local</location><rules_group>portcullis_block,</rules_group><timeout>600</timeout></active-response>` });
    const ips = ['198.51.100.30', '198.51.100.31', '2001:db8::31', '198.51.100.32'];
    w.feedFrom('web1', ...ips.map((ip) => attack(ip)));
    await w.settle();
    const first = w.poll('web1', true);
    expect(first.new!.map((d) => d.value)).toEqual(ips);
    expect(first.new![0]).toEqual({
      id: expect.any(Number), origin: 'portcullis', type: 'ban', scope: 'Ip', value: ips[0], duration: '10m0s',
      scenario: 'portcullis/rule-100301', simulated: false, until: new Date(w.clock.now + 600_000).toISOString(),
    });
    const held = w.db.prepare('SELECT scope, value, block_id, until FROM bouncer_sent ORDER BY value').all();
    expect(held).toHaveLength(4);

    w.clock.now += 1000;
    const before = changes(w);
    const again = w.poll('web1', true);
    expect(again.new!.map((d) => [d.value, d.duration])).toEqual(ips.map((ip) => [ip, '9m59s']));
    // only the host's last pull is written (recordPull): what the bouncer holds is already that
    expect(changes(w) - before).toBe(1);
    expect(w.db.prepare('SELECT scope, value, block_id, until FROM bouncer_sent ORDER BY value').all()).toEqual(held);
    expect(w.poll('web1')).toEqual({ new: null, deleted: null });
  });

  it('after a startup the bouncer holds exactly that answer: values released meanwhile are gone from bouncer_sent', async () => {
    w = makeHostsWorld(['web1'], { config: `${FAKE_COMMAND}<active-response><command>fake</command><location>local</location><rules_group>portcullis_block,</rules_group><timeout>600</timeout></active-response>` });
    w.feedFrom('web1', attack('198.51.100.33'), attack('198.51.100.34'));
    await w.settle();
    w.poll('web1', true);
    const [a] = w.blocks();
    await w.ar.manual.release(a!.id, { reason: 'ok' }, { name: 'alice', ip: null });
    // the bouncer restarts before its next poll: its new set lacks the released value
    expect(w.poll('web1', true).new!.map((d) => d.value)).toEqual(['198.51.100.34']);
    expect(w.db.prepare('SELECT value FROM bouncer_sent').pluck().all()).toEqual(['198.51.100.34']);
    expect(w.deliveries(a!.id)[0]!.removed_at).toBe(w.clock.now);
    expect(w.poll('web1')).toEqual({ new: null, deleted: null });
  });
});

describe('startup answers over the API', () => {
  it('take turns: a plain poll sent with two startups is answered first, and each startup gets the full set', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'portcullis-startup-'));
    const arDir = path.join(dir, 'active-response');
    mkdirSync(arDir);
    mkdirSync(path.join(dir, 'fake'));
    copyFileSync(path.join(FIXTURES, 'fake-ar.sh'), path.join(arDir, 'fake-ar.sh'));
    process.env.FAKE_DIR = path.join(dir, 'fake');
    const configPath = path.join(dir, 'ossec.conf');
    writeFileSync(configPath, `<ossec_config>
  <ruleset><decoder_include>${FIXTURES}/decoders.xml</decoder_include><rule_include>${FIXTURES}/rules.xml</rule_include></ruleset>
  ${FAKE_COMMAND}${binding('defined-agent', '<agent_id>web1,web2,web3</agent_id><timeout>600</timeout>')}
  <portcullis><journald>no</journald><active_response_dir>${arDir}</active_response_dir><watch_ruleset>no</watch_ruleset></portcullis>
</ossec_config>`);
    const cfg = resolveServerConfig({ config: configPath, data: path.join(dir, 'data'), listen: '127.0.0.1:0' }, {});
    app = await buildApp(cfg, { webRoot: path.join(dir, 'no-web') });
    await app.ready();
    const keys = ['web1', 'web2', 'web3'].map((n) => app!.hosts.create(n, 'test').apiKey);
    await app.pipeline.ingest(['198.51.100.35', '198.51.100.36'].map((ip) => ({ line: line(attack(ip)), location: '/var/log/auth.log', receivedAt: Date.now(), host: 'web1' })));
    await app.activeResponse.service.idle();

    const order: string[] = [];
    const pull = async (name: string, key: string, startup: boolean) => {
      const res = await app!.inject({ method: 'GET', url: `/v1/decisions/stream${startup ? '?startup=true' : ''}`, headers: { 'x-api-key': key } });
      order.push(name);
      return res;
    };
    const [s1, s2, poll] = await Promise.all([pull('startup web1', keys[0]!, true), pull('startup web2', keys[1]!, true), pull('poll web3', keys[2]!, false)]);
    expect(order).toEqual(['poll web3', 'startup web1', 'startup web2']);
    for (const r of [s1!, s2!, poll!]) expect(r.statusCode).toBe(200);
    expect((s1!.json() as { new: Array<{ value: string }> }).new.map((d) => d.value)).toEqual(['198.51.100.35', '198.51.100.36']);
    expect((s2!.json() as { new: Array<{ value: string }> }).new.map((d) => d.value)).toEqual(['198.51.100.35', '198.51.100.36']);
    expect(app.hosts.byName('web2')!.last_startup_at).not.toBeNull();
  });
});
