// What must never reach a script: injection attempts in any decoded field, white-listed and
// protected addresses, agent-only responses. Each refusal is a `refused` row with its reason.
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_COMMAND, attack, fakeBinding, makeWorld, type World } from './helpers.js';

let w: World | null = null;
afterEach(async () => {
  await w?.close();
  w?.cleanup();
  w = null;
});

const PAYLOADS = ['1.2.3.4;id', '$(id)', '`id`', 'a|nc', 'x&&reboot', "'quoted'", '"dq"', '>/tmp/pwn', '../../etc/shadow', '--help', '${IFS}', 'a\\b', '%0a'];

function reachedScript(w: World, payload: string): boolean {
  return w.calls().some((c) => c.some((f) => f.includes(payload)));
}

describe('injection attempts', () => {
  for (const protocol of ['ossec', 'json'] as const) {
    it(`never reach a ${protocol}-protocol script from any decoded field`, async () => {
      w = makeWorld({
        config: `<command><name>fake</name><executable>fake-ar</executable><timeout_allowed>yes</timeout_allowed><protocol>${protocol}</protocol></command>${fakeBinding()}`,
      });
      let n = 0;
      for (const p of PAYLOADS) {
        const ip = `198.18.0.${++n}`;
        w.feed(attack(p), attack(ip, p), attack(`198.18.1.${n}`, 'root', p), attack(`198.18.2.${n}`, 'root', '/x', p));
      }
      await w.settle();
      for (const p of PAYLOADS) expect(reachedScript(w, p), p).toBe(false);
      const rows = w.blocks();
      // srcip and user payloads are refused; filename and url payloads block the (valid) address without them
      const refused = rows.filter((r) => r.state === 'refused');
      expect(refused.filter((r) => /srcip/.test(r.reason!))).toHaveLength(PAYLOADS.length);
      expect(refused.filter((r) => /unsafe user/.test(r.reason!))).toHaveLength(PAYLOADS.length);
      expect(rows.filter((r) => r.state === 'active')).toHaveLength(2 * PAYLOADS.length);
      expect(rows.filter((r) => r.state === 'active').every((r) => r.filename === null || r.filename === '/x')).toBe(true);
      expect(w.calls().filter((c) => c[0] === (protocol === 'ossec' ? 'argv' : 'json') && (c[1] === 'add' || c[1]?.includes('"add"')))).toHaveLength(2 * PAYLOADS.length);
    });
  }

  it('refuses a command that expects filename when the filename is unsafe (ossec dialect)', async () => {
    w = makeWorld({
      dialect: 'ossec',
      config: `<command><name>fake</name><executable>fake-ar</executable><expect>srcip,filename</expect><timeout_allowed>yes</timeout_allowed></command>${fakeBinding()}`,
    });
    w.feed(attack('198.18.3.1', 'root', '$(reboot)'));
    await w.settle();
    expect(w.blocks()[0]).toMatchObject({ state: 'refused', reason: expect.stringMatching(/unsafe filename/) });
    expect(w.calls()).toHaveLength(0);
  });
});

describe('white list and protection', () => {
  const white = '<global><white_list>192.0.2.0/24</white_list><white_list>2001:db8::/32</white_list><white_list>203.0.113.9</white_list><white_list>10.20.</white_list></global>';

  it('holds for IPv4, CIDR, IPv6 networks, IPv4-mapped IPv6 and host patterns, and records each refusal', async () => {
    w = makeWorld({ config: `${white}${FAKE_COMMAND}${fakeBinding()}` });
    w.feed(attack('192.0.2.77'), attack('2001:db8::5'), attack('203.0.113.9'), attack('::ffff:192.0.2.8'), attack('10.20.30.40'), attack('198.51.100.1'));
    await w.settle();
    const rows = w.blocks();
    expect(rows.map((r) => [r.ip, r.state])).toEqual([
      ['192.0.2.77', 'refused'], ['2001:db8::5', 'refused'], ['203.0.113.9', 'refused'], ['192.0.2.8', 'refused'], ['10.20.30.40', 'refused'], ['198.51.100.1', 'active'],
    ]);
    expect(rows[0]!.reason).toBe('white-listed (192.0.2.0/24)');
    expect(rows[1]!.reason).toBe('white-listed (2001:db8::/32)');
    expect(w.calls().filter((c) => c[1] === 'add').map((c) => c[3])).toEqual(['198.51.100.1']);
  });

  it('protects loopback, this host and signed-in admins unless admin_protection is off', async () => {
    w = makeWorld({ adminAddresses: ['198.51.100.7'] });
    w.feed(attack('127.0.0.5'), attack('::1'), attack('10.99.0.1'), attack('fd00:99::1'), attack('198.51.100.7'));
    await w.settle();
    expect(w.blocks().map((r) => r.reason)).toEqual([
      'protected: loopback address', 'protected: loopback address', "protected: this host's own address", "protected: this host's own address", 'protected: address of a signed-in admin',
    ]);
    expect(w.calls()).toHaveLength(0);
    await w.close();
    w.cleanup();
    w = makeWorld({ adminProtection: false, adminAddresses: ['198.51.100.7'] });
    w.feed(attack('198.51.100.7'), attack('10.99.0.1'));
    await w.settle();
    expect(w.blocks().map((r) => r.state)).toEqual(['active', 'active']);
  });

  it('counts a repeated refusal as a hit on one row', async () => {
    w = makeWorld({ config: `${white}${FAKE_COMMAND}${fakeBinding()}` });
    w.feed(attack('192.0.2.1'), attack('192.0.2.1'), attack('192.0.2.1'));
    await w.settle();
    expect(w.blocks()).toHaveLength(1);
    expect(w.blocks()[0]!.hits).toBe(3);
  });
});

describe('binding', () => {
  it('reports defined-agent and all as "no agents configured", never dropping them silently', async () => {
    w = makeWorld({
      config: `${FAKE_COMMAND}<active-response><command>fake</command><location>defined-agent</location><agent_id>001</agent_id><level>5</level></active-response>
        <active-response><command>fake</command><location>all</location><rules_id>100301</rules_id></active-response>`,
    });
    w.feed(attack('198.51.100.20'));
    await w.settle();
    expect(w.blocks().map((r) => r.reason)).toEqual([
      'location "defined-agent" runs on agents: no agents configured', 'location "all" runs on agents: no agents configured',
    ]);
    expect(w.calls()).toHaveLength(0);
  });

  it('binds by level, rules_id and group (both level and group must hold in the wazuh dialect), and skips disabled blocks', async () => {
    const cmds = `${FAKE_COMMAND}<command><name>fake2</name><executable>fake-ar.sh</executable><timeout_allowed>yes</timeout_allowed></command>
      <command><name>fake3</name><executable>fake-ar</executable><timeout_allowed>yes</timeout_allowed></command>`;
    w = makeWorld({
      config: `${cmds}
        <active-response><command>fake</command><location>local</location><level>3</level><timeout>60</timeout></active-response>
        <active-response><command>fake2</command><location>local</location><level>3</level><rules_group>nope</rules_group><timeout>60</timeout></active-response>
        <active-response><disabled>yes</disabled><command>fake3</command><location>local</location><level>1</level></active-response>
        <active-response><command>fake3</command><location>server</location><rules_id>100302</rules_id><timeout>60</timeout></active-response>`,
    });
    w.feed('probe from 198.51.100.30');
    await w.settle();
    expect(w.blocks().map((r) => [r.command, r.rule_id, r.state])).toEqual([['fake', 100302, 'active'], ['fake3', 100302, 'active']]);
  });
});
