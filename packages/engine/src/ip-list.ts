// IP lists as OSSEC evaluates them for <srcip>/<dstip> (spec §5.5): entries are IPv4/IPv6 with
// an optional /prefix or /netmask, `any`, or `!entry`. The first `!` flips the default for good.
// Addresses, in entries and in events, are read by address.ts's `parseIp`: strictly, and with
// IPv4-mapped IPv6 turned into IPv4, so `::ffff:a00:7` and `10.0.0.7` are one address here.
import ipaddr from 'ipaddr.js';
import { parseIp, type IpAddress } from './address.js';

export interface IpEntry {
  readonly negated: boolean;
  readonly any: boolean;
  readonly net: [IpAddress, number] | null;
}

export class IpListError extends Error {}

export function parseIpEntry(raw: string): IpEntry {
  let text = raw.trim();
  let negated = false;
  if (text.startsWith('!')) {
    negated = true;
    text = text.slice(1).trim();
  }
  if (text.toLowerCase() === 'any') return { negated, any: true, net: null };
  const slash = text.indexOf('/');
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const parsed = parseIp(addrText);
  if (!parsed.ok) throw new IpListError(`"${raw}" is not an IP address or network: "${addrText}" ${parsed.reason}`);
  // An IPv4-mapped address was read as IPv4; its prefix counted the 96 mapping bits.
  const mapped = parsed.address.family === 4 && addrText.includes(':');
  const addr = parsed.address.addr;
  const max = addr.kind() === 'ipv4' ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const suffix = text.slice(slash + 1);
    if (/^\d{1,3}$/.test(suffix)) {
      bits = Number(suffix);
      if (mapped) {
        if (bits < 96) throw new IpListError(`"${raw}": an IPv4-mapped network needs a prefix of at least 96 (::ffff:0:0/96)`);
        bits -= 96;
      }
    } else if (addr.kind() === 'ipv4' && !mapped && isNetmask(suffix)) {
      const mask = ipaddr.IPv4.parse(suffix).prefixLengthFromSubnetMask();
      if (mask === null) throw new IpListError(`"${raw}": ${suffix} is not a valid netmask`);
      bits = mask;
    } else throw new IpListError(`"${raw}": bad prefix length "${suffix}"`);
    if (bits > max) throw new IpListError(`"${raw}": prefix length ${bits} is longer than ${max}`);
  }
  return { negated, any: false, net: [addr, bits] };
}

/** A dotted-decimal IPv4 netmask such as 255.255.0.0. */
function isNetmask(text: string): boolean {
  const r = parseIp(text);
  return r.ok && r.address.family === 4 && !text.includes(':');
}

function contains(entry: IpEntry, addr: IpAddress): boolean {
  if (entry.any) return true;
  const [net, bits] = entry.net!;
  if (net.kind() !== addr.kind()) return false;
  return addr.match(net as never, bits);
}

/** OS_IPFoundList: true on the first entry containing ip (false if that entry was negated-mode). */
export function ipListMatches(entries: readonly IpEntry[], ipText: string): boolean {
  const parsed = parseIp(ipText);
  if (!parsed.ok) return false;
  const addr = parsed.address.addr;
  let result = true;
  for (const e of entries) {
    if (e.negated) result = false;
    if (contains(e, addr)) return result;
  }
  return !result;
}
