import { describe, expect, it } from 'vitest';
import { IpRangeError, SenderFilter, parseIpRange, senderGroup } from '../../src/sources/index.js';

describe('parseIpRange', () => {
  it('takes addresses, prefixes, netmasks, IPv6, IPv4-mapped IPv6 and any', () => {
    expect(parseIpRange('10.0.0.7')[0]).toMatchObject({ bits: 32 });
    expect(parseIpRange('10.0.0.0/8')[0]).toMatchObject({ bits: 8 });
    expect(parseIpRange('10.0.0.0/255.255.0.0')[0]).toMatchObject({ bits: 16 });
    expect(parseIpRange('2001:db8::/32')[0]).toMatchObject({ bits: 32 });
    const mapped = parseIpRange('::ffff:10.0.0.0/104')[0]!;
    expect([mapped.net.toString(), mapped.bits]).toEqual(['10.0.0.0', 8]);
    expect(parseIpRange('any')).toHaveLength(2);
  });

  it('names what is wrong', () => {
    expect(() => parseIpRange('10.0.0.300')).toThrow(new IpRangeError('"10.0.0.300" is not an IP address or network: "10.0.0.300" is not an IPv4 or IPv6 address'));
    expect(() => parseIpRange('10.7')).toThrow(/is not an IP address/); // no shorthand forms
    expect(() => parseIpRange('example.com')).toThrow(/is not an IP address/);
    expect(() => parseIpRange('10.0.0.0/33')).toThrow('"10.0.0.0/33": prefix length 33 is longer than 32');
    expect(() => parseIpRange('10.0.0.0/255.0.255.0')).toThrow('"10.0.0.0/255.0.255.0": 255.0.255.0 is not a valid netmask');
    expect(() => parseIpRange('10.0.0.0/x')).toThrow('"10.0.0.0/x": bad prefix length "x"');
  });
});

describe('SenderFilter', () => {
  const host = (): string[] => ['127.0.0.1', '::1', '192.0.2.5', 'fe80::1%eth0'];

  it('with no allowed list takes loopback and this host only, and says so', () => {
    const f = new SenderFilter({ hostAddresses: host });
    expect(f.localOnly).toBe(true);
    expect(f.describe()).toBe("local senders only (loopback and this host's addresses)");
    for (const ok of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.9', '192.0.2.5', '::ffff:c000:205', 'fe80::1']) expect(f.check(ok), ok).toBeNull();
    for (const no of ['192.0.2.6', '203.0.113.9', '2001:db8::1', 'garbage']) expect(f.check(no), no).toBe('not-allowed');
  });

  it('takes allowed networks, with IPv4-mapped senders as IPv4, and deny wins over allow', () => {
    const f = new SenderFilter({ allowed: ['10.0.0.0/8', '2001:db8::/32'], denied: ['10.0.0.66', '::ffff:10.1.0.0/112'], hostAddresses: host });
    expect(f.localOnly).toBe(false);
    expect(f.check('10.0.0.7')).toBeNull();
    expect(f.check('::ffff:10.0.0.7')).toBeNull();
    expect(f.check('::ffff:a00:7')).toBeNull();
    expect(f.check('2001:db8:1::9')).toBeNull();
    expect(f.check('10.0.0.66')).toBe('denied');
    expect(f.check('::ffff:a00:42')).toBe('denied');
    expect(f.check('10.1.0.200')).toBe('denied');
    expect(f.check('127.0.0.1')).toBe('not-allowed'); // an allowed list replaces the local default
    expect(f.check('11.0.0.1')).toBe('not-allowed');
    expect(f.describe()).toBe('allowed 10.0.0.0/8, 2001:db8::/32; denied 10.0.0.66, ::ffff:10.1.0.0/112');
  });

  it('rejects a bad entry when built', () => {
    expect(() => new SenderFilter({ denied: ['10.0.0.1/40'] })).toThrow(new IpRangeError('"10.0.0.1/40": prefix length 40 is longer than 32'));
  });
});

describe('senderGroup', () => {
  it('counts IPv4 by address and IPv6 by /64', () => {
    expect(senderGroup('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(senderGroup('2001:db8:1:2:aaaa::1')).toBe(senderGroup('2001:db8:1:2:bbbb::2'));
    expect(senderGroup('2001:db8:1:2::1')).not.toBe(senderGroup('2001:db8:1:3::1'));
  });
});
