// One reading of an address for every check: strict syntax, IPv4-mapped IPv6 as IPv4, canonical
// text, and the addresses an active response must never act on.
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { WhiteList, blockTarget, canonicalIp, ipListMatches, parseIp, parseIpEntry } from '../src/index.js';

describe('parseIp', () => {
  it('reads every spelling of an IPv4-mapped address as the IPv4 address', () => {
    for (const s of ['::ffff:10.0.0.7', '::ffff:a00:7', '::FFFF:0A00:0007', '0:0:0:0:0:ffff:a00:7', '0:0:0:0:0:FFFF:10.0.0.7', '0000::ffff:0a00:0007']) {
      const r = parseIp(s);
      expect(r.ok && r.address, s).toMatchObject({ text: '10.0.0.7', family: 4 });
    }
  });

  it('gives IPv6 in RFC 5952 text and IPv4 in dotted decimal', () => {
    expect(canonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIp('fe80::1')).toBe('fe80::1');
    expect(canonicalIp('192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalIp('64:ff9b::192.0.2.1')).toBe('64:ff9b::c000:201');
  });

  it('refuses zones, networks, leading zeros and the forms only inet_aton reads, saying why', () => {
    const problem = (s: string) => {
      const r = parseIp(s);
      return r.ok ? `ok ${r.address.text}` : r.problem;
    };
    expect(problem('fe80::1%eth0')).toBe('zone');
    expect(problem('::ffff:10.0.0.7%1')).toBe('zone');
    expect(problem('10.0.0.7/32')).toBe('network');
    expect(problem('010.0.0.7')).toBe('leading-zero');
    expect(problem('10.0.0.07')).toBe('leading-zero');
    expect(problem('::ffff:010.0.0.7')).toBe('leading-zero');
    for (const s of ['10.7', '167772167', '0x0a000007', '0xa.0.0.7', '10.0.0.256', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', ' 10.0.0.7', '10.0.0.7 ', '', 'host.example', '::ffff:0x0a.0.0.7']) {
      expect(problem(s), s).toBe('not-an-ip');
    }
    const r = parseIp('010.0.0.7');
    expect(!r.ok && r.reason).toMatch(/leading zero/);
  });
});

describe('blockTarget', () => {
  it('refuses the addresses no attack comes from, with the reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['0.0.0.0', /0\.0\.0\.0\/8/],
      ['0.1.2.3', /0\.0\.0\.0\/8/],
      ['255.255.255.255', /broadcast/],
      ['224.0.0.1', /multicast/],
      ['239.255.255.250', /multicast/],
      ['240.0.0.1', /reserved range 240\.0\.0\.0\/4/],
      ['::', /unspecified/],
      ['::0', /unspecified/],
      ['ff02::1', /multicast/],
      ['::10.0.0.7', /IPv4-compatible/],
      ['::a00:7', /IPv4-compatible/],
      ['::ffff:0.0.0.0', /0\.0\.0\.0\/8/],
      ['::ffff:e000:1', /multicast/],
    ];
    for (const [s, why] of cases) {
      const r = blockTarget(s);
      expect(r.ok, s).toBe(false);
      if (!r.ok) expect([r.problem, r.reason], s).toEqual(['meaningless', expect.stringMatching(why)]);
    }
  });

  it('refuses exactly the IPv4 ranges ipaddr.js names unspecified, broadcast and multicast, and 240.0.0.0/4', () => {
    for (let first = 0; first < 256; first++) {
      for (const tail of ['0.0.0', '1.2.3', '255.255.254', '255.255.255']) {
        const text = `${first}.${tail}`;
        const range = ipaddr.IPv4.parse(text).range();
        const refused = ['unspecified', 'broadcast', 'multicast'].includes(range) || first >= 240;
        expect(blockTarget(text).ok, `${text} (${range})`).toBe(!refused);
        if (range === 'broadcast') expect(blockTarget(text)).toMatchObject({ reason: 'is the broadcast address' });
      }
    }
  });

  it('refuses exactly the IPv6 addresses ipaddr.js names unspecified or multicast, and ::a.b.c.d but ::1; maps as it does', () => {
    const heads = ['::', '::1', '::2', '::1:0', '::0.0.0.1', '::ffff:0', '1::', 'fe80::1', 'feff::1', 'ff00::', 'ff02::1', 'ffff::', '2001:db8::1', '::1:0:0:0', '0:0:0:0:0:1::'];
    for (const text of heads) {
      const v6 = ipaddr.IPv6.parse(text);
      const range = v6.range();
      const compat = range !== 'loopback' && v6.parts.slice(0, 6).every((p) => p === 0);
      const refused = ['unspecified', 'multicast'].includes(range) || compat;
      expect(blockTarget(text).ok, `${text} (${range})`).toBe(!refused);
    }
    for (const text of ['::ffff:a00:7', '::ffff:0:0', '0:0:0:0:0:ffff:ffff:ffff', '::fffe:a00:7', '::1:ffff:a00:7', '64:ff9b::a00:7', '::ffff:0:a00:7']) {
      const r = parseIp(text);
      expect(r.ok && r.address.family, text).toBe(ipaddr.IPv6.parse(text).isIPv4MappedAddress() ? 4 : 6);
    }
  });

  it('leaves real sources alone, documentation ranges and loopback included (protection handles loopback)', () => {
    for (const s of ['10.0.0.7', '198.51.100.1', '203.0.113.9', '192.0.2.1', '2001:db8::1', '::1', '127.0.0.1', '223.255.255.255', '::ffff:a00:7', '1.0.0.0']) {
      expect(blockTarget(s).ok, s).toBe(true);
    }
  });
});

describe('IP lists and the white list read addresses the same way', () => {
  it('match every spelling of a mapped address against an IPv4 network, and never read octal', () => {
    const list = [parseIpEntry('10.0.0.0/8')];
    for (const s of ['10.0.0.7', '::ffff:10.0.0.7', '::ffff:a00:7', '::FFFF:0A00:0007', '0:0:0:0:0:ffff:a00:7']) expect(ipListMatches(list, s), s).toBe(true);
    // inet_aton would read 010.0.0.7 as 8.0.0.7 and 012.0.0.7 as 10.0.0.7: neither is an address here
    expect(ipListMatches([parseIpEntry('8.0.0.0/8')], '010.0.0.7')).toBe(false);
    expect(ipListMatches(list, '012.0.0.7')).toBe(false);
    expect(() => parseIpEntry('010.0.0.0/8')).toThrow(/leading zero/);
    expect(() => parseIpEntry('fe80::/10%eth0')).toThrow();
  });

  it('takes an IPv4-mapped network as the IPv4 network it maps', () => {
    const e = parseIpEntry('::ffff:10.0.0.0/104');
    expect(e.net![0].kind()).toBe('ipv4');
    expect(e.net![1]).toBe(8);
    expect(ipListMatches([e], '10.9.9.9')).toBe(true);
    expect(ipListMatches([e], '11.0.0.1')).toBe(false);
    expect(() => parseIpEntry('::ffff:10.0.0.0/95')).toThrow(/at least 96/);
  });

  it('white list: a hex-spelled mapped address is covered by its IPv4 network; host patterns see canonical text', () => {
    const wl = new WhiteList(['10.0.0.0/8', '192.0.2.', '^gw.example$']);
    expect(wl.covers('::ffff:a00:7')).toBe('10.0.0.0/8');
    expect(wl.covers('0:0:0:0:0:FFFF:0A00:0007')).toBe('10.0.0.0/8');
    expect(wl.covers('::ffff:c000:205')).toBe('192.0.2.');
    expect(wl.covers('gw.example')).toBe('^gw.example$');
    expect(wl.covers('::ffff:b00:7')).toBeNull();
  });
});

describe('parseIp agrees with Node’s inet_pton-style isIP', () => {
  it('on 20,000 generated near-addresses', async () => {
    const { isIP } = await import('node:net');
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const atoms = ['0', '00', '1', '10', '010', '255', '256', 'a', 'ff', 'fff', 'ffff', 'fffff', '0a00', 'FFFF', ':', '::', '.', '1.2.3.4', '0.0.0.0', 'g', ''];
    let valid = 0;
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      const n = 1 + rnd(12);
      for (let j = 0; j < n; j++) s += atoms[rnd(atoms.length)]!;
      const r = parseIp(s);
      expect(r.ok, s).toBe(isIP(s) !== 0);
      if (r.ok) valid++;
    }
    expect(valid).toBeGreaterThan(500); // the generator does make addresses, not only junk
  });
});
