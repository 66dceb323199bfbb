// IP lists as OSSEC evaluates them for <srcip>/<dstip> (spec §5.5): entries are IPv4/IPv6 with
// an optional /prefix or /netmask, `any`, or `!entry`. The first `!` flips the default for good.
import ipaddr from 'ipaddr.js';

export interface IpEntry {
  readonly negated: boolean;
  readonly any: boolean;
  readonly net: [ipaddr.IPv4 | ipaddr.IPv6, number] | null;
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
  if (!ipaddr.isValid(addrText)) throw new IpListError(`"${raw}" is not an IP address or network`);
  const addr = ipaddr.parse(addrText);
  const max = addr.kind() === 'ipv4' ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const suffix = text.slice(slash + 1);
    if (/^\d+$/.test(suffix)) bits = Number(suffix);
    else if (addr.kind() === 'ipv4' && ipaddr.IPv4.isValid(suffix)) {
      const mask = ipaddr.IPv4.parse(suffix).prefixLengthFromSubnetMask();
      if (mask === null) throw new IpListError(`"${raw}": ${suffix} is not a valid netmask`);
      bits = mask;
    } else throw new IpListError(`"${raw}": bad prefix length "${suffix}"`);
    if (bits > max) throw new IpListError(`"${raw}": prefix length ${bits} is longer than ${max}`);
  }
  return { negated, any: false, net: [addr, bits] };
}

/** Parses an address for matching; strips an IPv4-mapped `::ffff:` prefix. Null when not an IP. */
export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(text)) return null;
  const a = ipaddr.parse(text);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) return (a as ipaddr.IPv6).toIPv4Address();
  return a;
}

function contains(entry: IpEntry, addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (entry.any) return true;
  const [net, bits] = entry.net!;
  if (net.kind() !== addr.kind()) return false;
  return addr.match(net as never, bits);
}

/** OS_IPFoundList: true on the first entry containing ip (false if that entry was negated-mode). */
export function ipListMatches(entries: readonly IpEntry[], ipText: string): boolean {
  const addr = parseAddress(ipText);
  if (addr === null) return false;
  let result = true;
  for (const e of entries) {
    if (e.negated) result = false;
    if (contains(e, addr)) return result;
  }
  return !result;
}
