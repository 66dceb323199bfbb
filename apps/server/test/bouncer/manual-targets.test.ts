// Manual blocks with targets (API `target`/`hosts`, the admin socket, `portcullis block --on`): the
// server's script by default, every host and the server, or named hosts only — routed and delivered
// as an alert's block is, with the white list and admin protection holding for every target.
import { afterEach, describe, expect, it } from 'vitest';
import { parseOn } from '../../src/cli/block.js';
import { parseAdminRequest } from '../../src/modules/active-response/admin-socket.js';
import { FAKE_COMMAND } from '../active-response/helpers.js';
import { binding, makeHostsWorld, type HostsWorld } from './world.js';

let w: HostsWorld | null = null;
afterEach(async () => {
  await w?.close();
  w?.cleanup();
  w = null;
});

const adds = (x: HostsWorld): string[][] => x.calls().filter((c) => c[1] === 'add');
const alice = { name: 'alice', ip: '203.0.113.200' };
const CONFIG = `<global><white_list>192.0.2.0/24</white_list></global>${FAKE_COMMAND}${binding('server')}`;

describe('manual blocks with targets', () => {
  it("named hosts only: no script on the server, active at once, pulled by those hosts' bouncers alone", async () => {
    w = makeHostsWorld(['web1', 'web2', 'web3'], { config: CONFIG });
    const { block, created } = await w.ar.manual.block({ ip: '198.51.100.50', duration: 300, reason: 'scanner', target: 'hosts', hosts: ['web3', 'web1'] }, alice);
    expect(created).toBe(true);
    expect(block).toMatchObject({ ip: '198.51.100.50', state: 'active', server_script: 0 });
    await w.settle();
    expect(adds(w)).toHaveLength(0);
    expect(w.deliveries(block.id).map((d) => d.host)).toEqual(['web1', 'web3']);
    expect(w.poll('web1', true).new!.map((d) => [d.value, d.duration])).toEqual([['198.51.100.50', '5m0s']]);
    expect(w.poll('web2', true).new).toBeNull();
    expect(w.poll('web3', true).new!.map((d) => d.value)).toEqual(['198.51.100.50']);
    // it ends at its timeout with no script, and the removal reaches its hosts
    w.advance(301_000);
    await w.settle();
    expect(w.block(block.id).state).toBe('expired');
    expect(adds(w)).toHaveLength(0);
    expect(w.poll('web1').deleted!.map((d) => d.value)).toEqual(['198.51.100.50']);
  });

  it("all: the server's script and every host; the default is the server alone, as before", async () => {
    w = makeHostsWorld(['web1', 'web2'], { config: CONFIG });
    const all = (await w.ar.manual.block({ ip: '198.51.100.51', duration: 300, reason: 'r', target: 'all' }, alice)).block;
    expect(all).toMatchObject({ state: 'active', server_script: 1 });
    expect(adds(w).map((c) => c.includes('198.51.100.51'))).toEqual([true]);
    expect(w.deliveries(all.id).map((d) => d.host)).toEqual(['web1', 'web2']);
    const server = (await w.ar.manual.block({ ip: '198.51.100.52', duration: 300, reason: 'r' }, alice)).block;
    expect(server).toMatchObject({ state: 'active', server_script: 1 });
    expect(w.deliveries(server.id)).toEqual([]);
    expect(w.poll('web2', true).new!.map((d) => d.value)).toEqual(['198.51.100.51']);
  });

  it("extending a hosts-only block to all adds the other hosts and runs the server's script once", async () => {
    w = makeHostsWorld(['web1', 'web2'], { config: CONFIG });
    const first = (await w.ar.manual.block({ ip: '198.51.100.53', duration: 300, reason: 'r', target: 'hosts', hosts: ['web1'] }, alice)).block;
    const { block, created } = await w.ar.manual.block({ ip: '198.51.100.53', duration: 600, reason: 'everywhere', target: 'all' }, alice);
    expect(created).toBe(false);
    expect(block.id).toBe(first.id);
    expect(block).toMatchObject({ state: 'active', server_script: 1 });
    expect(adds(w)).toHaveLength(1);
    expect(w.deliveries(block.id).map((d) => d.host)).toEqual(['web1', 'web2']);
    expect(w.poll('web2', true).new!.map((d) => [d.value, d.duration])).toEqual([['198.51.100.53', '10m0s']]);
  });

  it('the white list and admin protection hold for host targets; unknown or missing host names are a clear 400', async () => {
    w = makeHostsWorld(['web1'], { config: CONFIG, adminAddresses: ['198.51.100.7'] });
    await expect(w.ar.manual.block({ ip: '192.0.2.9', duration: 60, reason: 'r', target: 'hosts', hosts: ['web1'] }, alice)).rejects.toMatchObject({ code: 'BLOCK_REFUSED', message: 'refused: white-listed (192.0.2.0/24)' });
    await expect(w.ar.manual.block({ ip: '198.51.100.7', duration: 60, reason: 'r', target: 'all' }, alice)).rejects.toMatchObject({ code: 'BLOCK_REFUSED' });
    await expect(w.ar.manual.block({ ip: '198.51.100.54', duration: 60, reason: 'r', target: 'hosts', hosts: ['web1', 'web9', 'db'] }, alice)).rejects.toMatchObject({ statusCode: 400, code: 'UNKNOWN_HOST', message: 'no active host named "web9", "db"' });
    await expect(w.ar.manual.block({ ip: '198.51.100.54', duration: 60, reason: 'r', target: 'hosts' }, alice)).rejects.toMatchObject({ code: 'BAD_TARGET' });
    await expect(w.ar.manual.block({ ip: '198.51.100.54', duration: 60, reason: 'r', target: 'server', hosts: ['web1'] }, alice)).rejects.toMatchObject({ code: 'BAD_TARGET' });
    expect(w.db.prepare('SELECT count(*) FROM block_deliveries').pluck().get()).toBe(0);
    expect(w.poll('web1', true)).toEqual({ new: null, deleted: null });
  });

  it('the CLI --on and the admin socket carry the target', () => {
    expect([parseOn(undefined), parseOn('server'), parseOn('all'), parseOn('web1, web2')]).toEqual([{}, { target: 'server' }, { target: 'all' }, { target: 'hosts', hosts: ['web1', 'web2'] }]);
    expect(() => parseOn(',')).toThrow('--on must be server, all or host names separated by commas, not ","');
    expect(parseAdminRequest(JSON.stringify({ op: 'block', ip: '198.51.100.55', reason: 'r', actor: 'root', target: 'hosts', hosts: ['web1'] })))
      .toEqual({ op: 'block', ip: '198.51.100.55', reason: 'r', actor: 'root', target: 'hosts', hosts: ['web1'] });
    expect(parseAdminRequest(JSON.stringify({ op: 'block', ip: '198.51.100.55', reason: 'r', actor: 'root', target: 'everywhere' }))).toBeNull();
  });
});
