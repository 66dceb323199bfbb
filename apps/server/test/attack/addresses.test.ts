// Addresses an attacker controls, through the real pipeline to the recording script: every spelling
// of an IPv4-mapped IPv6 address is the IPv4 address for the white list, protection, dedupe, the
// stored row and the script's argument; addresses that mean nothing to block are refused before any
// script with the reason stored; and manual blocks read addresses the same way.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine, WhiteList, bindActiveResponses } from '@portcullis/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { BlockRefusedError } from '../../src/modules/active-response/manual-blocks.js';
import { arBindingsOf } from '../../src/modules/active-response/policy.js';
import { Replayer } from '../../src/pipeline/replayer.js';
import { RulesetManager } from '../../src/pipeline/ruleset-manager.js';
import { FAKE_COMMAND, FIXTURES, attack, fakeBinding, line, makeWorld, type World } from '../active-response/helpers.js';

let w: World | null = null;
afterEach(async () => {
  await w?.close();
  w?.cleanup();
  w = null;
});

const MAPPED_10_0_0_7 = ['::ffff:a00:7', '::FFFF:0A00:0007', '0:0:0:0:0:ffff:a00:7', '::ffff:10.0.0.7', '0:0:0:0:0:FFFF:10.0.0.7'];
const alice = { name: 'alice', ip: '198.51.100.50' };

const adds = (w: World) => w.calls().filter((c) => c[0] === 'argv' && c[1] === 'add');

/** Every script call as `action address`, from argv ($1, $3) or the JSON message. */
function scriptAddresses(w: World): string[] {
  return w.calls().flatMap((c) => {
    if (c[0] === 'argv') return [`${c[1]} ${c[3]}`];
    if (c[0] !== 'json') return [];
    const m = JSON.parse(c[1]!) as { command: string; parameters: { alert: { data: { srcip?: string } } } };
    return [`${m.command} ${m.parameters.alert.data.srcip ?? '-'}`];
  });
}

describe('IPv4-mapped IPv6 sources', () => {
  it('are covered by the IPv4 network on the white list, whatever the spelling, and no script runs', async () => {
    w = makeWorld({ config: `<global><white_list>10.0.0.0/8</white_list></global>${FAKE_COMMAND}${fakeBinding()}` });
    w.feed(...MAPPED_10_0_0_7.map((ip) => attack(ip)));
    await w.settle();
    const rows = w.blocks();
    // one refused row (the same reason for the same address within a minute counts as hits)
    expect(rows.map((r) => [r.ip, r.state, r.reason, r.hits])).toEqual([['10.0.0.7', 'refused', 'white-listed (10.0.0.0/8)', MAPPED_10_0_0_7.length]]);
    expect(w.calls()).toEqual([]);
  });

  it('reach the script as the IPv4 address, and every spelling is one block (dedupe)', async () => {
    w = makeWorld();
    w.feed(attack('::ffff:a00:7'));
    await w.settle();
    w.feed(attack('10.0.0.7'), ...MAPPED_10_0_0_7.map((ip) => attack(ip)));
    await w.settle();
    const rows = w.blocks();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ ip: '10.0.0.7', state: 'active', hits: 2 + MAPPED_10_0_0_7.length });
    expect(scriptAddresses(w)).toEqual(['add 10.0.0.7', 'check 10.0.0.7']);
    expect(w.blocked('10.0.0.7')).toBe(true);
  });

  it('reach a json-protocol script as the IPv4 address in data.srcip', async () => {
    w = makeWorld({ config: `<command><name>fake</name><executable>fake-ar</executable><timeout_allowed>yes</timeout_allowed><protocol>json</protocol></command>${fakeBinding()}` });
    w.feed(attack('::FFFF:0A00:0007'));
    await w.settle();
    expect(scriptAddresses(w)).toEqual(['add 10.0.0.7', 'check 10.0.0.7']);
    expect(w.blocks()[0]).toMatchObject({ ip: '10.0.0.7', state: 'active' });
  });

  it('are protected when they spell this host or a signed-in admin', async () => {
    // a socket reports a link-local peer with its zone: the address is still the admin's
    w = makeWorld({ adminAddresses: ['::ffff:198.51.100.7', 'fe80::7%eth0'], hostAddresses: ['10.99.0.1'] });
    w.feed(attack('::ffff:c633:6407'), attack('198.51.100.7'), attack('::ffff:a63:1'), attack('::ffff:7f00:1'), attack('FE80::7'));
    await w.settle();
    expect(w.blocks().map((r) => [r.ip, r.reason])).toEqual([
      ['198.51.100.7', 'protected: address of a signed-in admin'],
      ['10.99.0.1', "protected: this host's own address"],
      ['127.0.0.1', 'protected: loopback address'],
      ['fe80::7', 'protected: address of a signed-in admin'],
    ]);
    expect(w.calls()).toEqual([]);
  });

  it('with a leading zero is refused, never read as octal (010 is 8 to inet_aton)', async () => {
    w = makeWorld({ config: `<global><white_list>10.0.0.0/8</white_list></global>${FAKE_COMMAND}${fakeBinding()}` });
    w.feed(attack('010.0.0.7'), attack('::ffff:010.0.0.7'));
    await w.settle();
    expect(w.blocks().map((r) => [r.ip, r.state, r.reason])).toEqual([
      [null, 'refused', 'srcip "010.0.0.7" has an octet with a leading zero, which some parsers read as octal'],
      [null, 'refused', 'srcip "::ffff:010.0.0.7" has an octet with a leading zero, which some parsers read as octal'],
    ]);
    expect(w.calls()).toEqual([]);
  });
});

describe('meaningless addresses', () => {
  const CASES: Array<[string, string, RegExp]> = [
    ['0.0.0.0', '0.0.0.0', /0\.0\.0\.0\/8/],
    ['0.0.0.9', '0.0.0.9', /0\.0\.0\.0\/8/],
    ['255.255.255.255', '255.255.255.255', /broadcast/],
    ['224.0.0.251', '224.0.0.251', /multicast/],
    ['240.1.2.3', '240.1.2.3', /reserved range 240\.0\.0\.0\/4/],
    ['::', '::', /unspecified/],
    ['ff02::1', 'ff02::1', /multicast/],
    ['::10.0.0.7', '::a00:7', /IPv4-compatible/],
    ['::ffff:0.0.0.0', '0.0.0.0', /0\.0\.0\.0\/8/],
  ];

  for (const protocol of ['ossec', 'json'] as const) {
    it(`are refused before a ${protocol}-protocol script runs, with the reason stored`, async () => {
      w = makeWorld({ config: `<command><name>fake</name><executable>fake-ar</executable><timeout_allowed>yes</timeout_allowed><protocol>${protocol}</protocol></command>${fakeBinding()}` });
      w.feed(...CASES.map(([raw]) => attack(raw)), attack('198.51.100.9'));
      await w.settle();
      const rows = w.blocks();
      expect(rows).toHaveLength(CASES.length + 1);
      CASES.forEach(([raw, stored, why], i) => {
        expect(rows[i], raw).toMatchObject({ ip: stored, state: 'refused', reason: expect.stringMatching(why) });
        expect(rows[i]!.reason, raw).toContain(`srcip ${JSON.stringify(raw)}`);
        expect(w!.ar.deps.runs.runsOf(rows[i]!.id), raw).toEqual([]);
      });
      // the one real address is blocked: the refusals are about the addresses, not the rule
      expect(rows[CASES.length]).toMatchObject({ ip: '198.51.100.9', state: 'active' });
      expect(scriptAddresses(w)).toEqual(['add 198.51.100.9', 'check 198.51.100.9']);
    });
  }
});

describe('manual blocks read addresses the same way', () => {
  it('block a mapped address as the IPv4 address and extend it when the IPv4 spelling comes', async () => {
    w = makeWorld();
    const first = await w.ar.manual.block({ ip: ' ::FFFF:0A00:0007 ', duration: 60, reason: 'scan' }, alice);
    expect(first).toMatchObject({ created: true, block: { ip: '10.0.0.7', state: 'active' } });
    const again = await w.ar.manual.block({ ip: '10.0.0.7', duration: 120, reason: 'scan' }, alice);
    expect(again).toMatchObject({ created: false, block: { id: first.block.id } });
    expect(adds(w).map((c) => c[3])).toEqual(['10.0.0.7']);
  });

  it('refuse a mapped address the white list covers, and meaningless addresses, with the reason stored', async () => {
    w = makeWorld({ config: `<global><white_list>10.0.0.0/8</white_list></global>${FAKE_COMMAND}` });
    await expect(w.ar.manual.block({ ip: '::ffff:a00:7', reason: 'x' }, alice)).rejects.toThrow('refused: white-listed (10.0.0.0/8)');
    for (const ip of ['0.0.0.0', '255.255.255.255', '::', 'ff02::1', '::1.2.3.4']) {
      await expect(w.ar.manual.block({ ip, reason: 'x' }, alice), ip).rejects.toBeInstanceOf(BlockRefusedError);
    }
    expect(w.blocks().map((r) => [r.ip, r.state])).toEqual([
      ['10.0.0.7', 'refused'], ['0.0.0.0', 'refused'], ['255.255.255.255', 'refused'], ['::', 'refused'], ['ff02::1', 'refused'], ['::102:304', 'refused'],
    ]);
    expect(w.blocks()[1]!.reason).toBe('0.0.0.0 is in 0.0.0.0/8 ("this network"), never a real source');
    expect(w.calls()).toEqual([]);
  });

  it('reject zones, networks and leading zeros as bad input', async () => {
    w = makeWorld();
    await expect(w.ar.manual.block({ ip: 'fe80::1%eth0', reason: 'x' }, alice)).rejects.toThrow(/zone/);
    await expect(w.ar.manual.block({ ip: '10.0.0.0/8', reason: 'x' }, alice)).rejects.toThrow(/network/);
    await expect(w.ar.manual.block({ ip: '010.0.0.7', reason: 'x' }, alice)).rejects.toThrow(/leading zero/);
    expect(w.blocks()).toEqual([]);
    expect(w.calls()).toEqual([]);
  });
});

describe('replay and the log test decide as the server does', () => {
  it('white-list a mapped 10.0.0.7, refuse 0.0.0.0 with the reason, and block a mapped address as IPv4', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-replay-'));
    try {
      const configPath = path.join(dir, 'ossec.conf');
      writeFileSync(configPath, `<ossec_config><ruleset><decoder_include>${FIXTURES}/decoders.xml</decoder_include><rule_include>${FIXTURES}/rules.xml</rule_include></ruleset>
        <global><white_list>10.0.0.0/8</white_list></global>${FAKE_COMMAND}${fakeBinding()}</ossec_config>`);
      const ctx = new RulesetManager({ configPath }, { info: () => undefined, error: () => undefined }).context;
      const r = new Replayer(new Engine(ctx.ruleset, ctx.engineOptions), {
        dialect: ctx.dialect, bound: bindActiveResponses(ctx.ruleset.tree.all, arBindingsOf(ctx.cfg), ctx.dialect), whiteList: new WhiteList(ctx.cfg.whiteList),
      });
      for (const ip of ['::ffff:a00:7', '0.0.0.0', '::FFFF:0B00:0007', '11.0.0.7']) r.feed(line(attack(ip)), '/var/log/test.log', 1_700_000_000);
      expect(r.refused.map((x) => [x.ip, x.reason])).toEqual([
        ['10.0.0.7', 'white list (10.0.0.0/8)'],
        ['0.0.0.0', 'srcip "0.0.0.0" is in 0.0.0.0/8 ("this network"), never a real source'],
      ]);
      expect(r.blocks.map((b) => b.ip)).toEqual(['11.0.0.7']); // the second spelling extends the first block
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
