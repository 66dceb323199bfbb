// <location> with registered hosts: local (the host the line came from), server, defined-agent,
// all; one delivery row per target host; blocks for hosts only run no script here; the white
// list, admin protection, escalation and grace hold for hosts as for the server.
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_COMMAND, attack } from '../active-response/helpers.js';
import { binding, makeHostsWorld, type HostsWorld } from './world.js';

let w: HostsWorld | null = null;
afterEach(async () => {
  await w?.close();
  w?.cleanup();
  w = null;
});

const adds = (x: HostsWorld): string[][] => x.calls().filter((c) => c[1] === 'add');

describe('<location> with registered hosts', () => {
  it('local: a line from web1 blocks on web1 only, at once, with no script on the server', async () => {
    w = makeHostsWorld(['web1', 'web2'], { config: `${FAKE_COMMAND}${binding('local')}` });
    w.feedFrom('web1', attack('198.51.100.10'));
    await w.settle();
    const [b] = w.blocks();
    expect(b).toMatchObject({ ip: '198.51.100.10', state: 'active', server_script: 0 });
    expect(adds(w)).toHaveLength(0);
    expect(w.deliveries(b!.id).map((d) => d.host)).toEqual(['web1']);
    expect(w.poll('web1').new!.map((d) => d.value)).toEqual(['198.51.100.10']);
    expect(w.poll('web2', true).new).toBeNull();
  });

  it("local: the server's own line runs the server's script and reaches no host", async () => {
    w = makeHostsWorld(['web1'], { config: `${FAKE_COMMAND}${binding('local')}` });
    w.feedFrom(null, attack('198.51.100.11'));
    await w.settle();
    const [b] = w.blocks();
    expect(b).toMatchObject({ state: 'active', server_script: 1 });
    expect(adds(w).map((c) => c[3])).toEqual(['198.51.100.11']);
    expect(w.deliveries(b!.id)).toEqual([]);
  });

  it("all: every active host and the server's script; server: the server only", async () => {
    w = makeHostsWorld(['web1', 'web2', 'old'], {
      config: `${FAKE_COMMAND}<command><name>fake2</name><executable>fake-ar</executable><timeout_allowed>yes</timeout_allowed></command>${binding('all')}
        <active-response><command>fake2</command><location>server</location><rules_group>portcullis_block,</rules_group><timeout>60</timeout></active-response>`,
    });
    w.hosts.revoke('old', 'test');
    w.feedFrom('web1', attack('198.51.100.12'));
    await w.settle();
    const [all, server] = w.blocks();
    expect(all).toMatchObject({ command: 'fake', state: 'active', server_script: 1 });
    expect(w.deliveries(all!.id).map((d) => d.host)).toEqual(['web1', 'web2']);
    expect(server).toMatchObject({ command: 'fake2', state: 'active', server_script: 1 });
    expect(w.deliveries(server!.id)).toEqual([]);
    expect(adds(w)).toHaveLength(2);
  });

  it('defined-agent: the hosts named in <agent_id>; a name that is no active host is refused', async () => {
    w = makeHostsWorld(['web1', 'web2', 'web3'], {
      config: `${FAKE_COMMAND}${binding('defined-agent', '<agent_id>web2, web3</agent_id><timeout>600</timeout>')}`,
    });
    w.feedFrom('web1', attack('198.51.100.13'));
    await w.settle();
    expect(w.deliveries(w.blocks()[0]!.id).map((d) => d.host)).toEqual(['web2', 'web3']);
    expect(adds(w)).toHaveLength(0);
    await w.close();
    w.cleanup();
    w = makeHostsWorld(['web1'], { config: `${FAKE_COMMAND}${binding('defined-agent', '<agent_id>nope</agent_id>')}` });
    w.feedFrom('web1', attack('198.51.100.14'));
    await w.settle();
    expect(w.blocks()[0]).toMatchObject({ state: 'refused', reason: 'location "defined-agent" targets "nope": no such active registered host' });
  });

  it('a later line from another host adds it to the open block (one block per address), and escalates', async () => {
    w = makeHostsWorld(['web1', 'web2'], { config: `${FAKE_COMMAND}${binding('local', '<timeout>60</timeout><repeated_offenders>10</repeated_offenders>')}` });
    w.feedFrom('web1', attack('198.51.100.15'));
    await w.settle();
    expect(w.poll('web1', true).new!.map((d) => [d.value, d.duration])).toEqual([['198.51.100.15', '1m0s']]);
    w.clock.now += 5000;
    w.feedFrom('web2', attack('198.51.100.15'));
    await w.settle();
    const rows = w.blocks();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ offense: 2, timeout: 600, server_script: 0 });
    expect(w.deliveries(rows[0]!.id).map((d) => d.host)).toEqual(['web1', 'web2']);
    // web1 holds it for 55 s more: the longer ban comes as deleted + new in one answer
    const a = w.poll('web1');
    expect(a.deleted!.map((d) => d.value)).toEqual(['198.51.100.15']);
    expect(a.new!.map((d) => [d.value, d.duration])).toEqual([['198.51.100.15', '10m0s']]);
    expect(w.poll('web2').new!.map((d) => d.duration)).toEqual(['10m0s']);
    expect(adds(w)).toHaveLength(0);
  });

  it('the white list and admin protection hold on every host', async () => {
    w = makeHostsWorld(['web1'], {
      config: `<global><white_list>192.0.2.0/24</white_list></global>${FAKE_COMMAND}${binding('all')}`,
      adminAddresses: ['198.51.100.7'],
    });
    w.feedFrom('web1', attack('192.0.2.5'), attack('198.51.100.7'));
    await w.settle();
    expect(w.blocks().map((b) => b.state)).toEqual(['refused', 'refused']);
    expect(w.db.prepare('SELECT count(*) FROM block_deliveries').pluck().get()).toBe(0);
    expect(w.poll('web1', true)).toEqual({ new: null, deleted: null });
  });

  it('a block for hosts only ends at its timeout or release with no script run, and the removal reaches each host once', async () => {
    w = makeHostsWorld(['web1', 'web2'], { config: `${FAKE_COMMAND}${binding('defined-agent', '<agent_id>web1,web2</agent_id><timeout>60</timeout>')}` });
    w.feedFrom('web1', attack('198.51.100.16'), attack('2001:db8::16'));
    await w.settle();
    const [v4, v6] = w.blocks();
    expect(w.poll('web1', true).new!.map((d) => [d.scope, d.value])).toEqual([['Ip', '198.51.100.16'], ['Ip', '2001:db8::16']]);
    expect(w.deliveries(v4!.id)).toEqual([{ host: 'web1', added_at: w.clock.now, removed_at: null }, { host: 'web2', added_at: null, removed_at: null }]);
    await w.ar.manual.release(v6!.id, { reason: 'false positive' }, { name: 'alice', ip: null });
    expect(w.block(v6!.id).state).toBe('released');
    const r = w.poll('web1');
    expect(r).toMatchObject({ new: null, deleted: [{ value: '2001:db8::16', id: v6!.id }] });
    w.advance(61_000);
    await w.settle();
    expect(w.block(v4!.id).state).toBe('expired');
    expect(w.poll('web1').deleted!.map((d) => d.value)).toEqual(['198.51.100.16']);
    expect(w.poll('web1')).toEqual({ new: null, deleted: null });
    // web2 never pulled while they were open: nothing to add or remove
    expect(w.poll('web2')).toEqual({ new: null, deleted: null });
    expect(w.deliveries(v4!.id).map((d) => [d.host, d.added_at !== null, d.removed_at !== null])).toEqual([['web1', true, true], ['web2', false, true]]);
    expect(w.calls()).toEqual([]);
  });
});
