// One address, read once. Every place that looks at an IP — rule `srcip`/`dstip` lists, the white
// list, admin protection, execd's duplicate check, a script's argument, a stored block — goes
// through `parseIp` (and for a block, `blockTarget`), so they all see the same value: exactly one
// IPv4 or IPv6 address as inet_pton reads it, an IPv4-mapped IPv6 address (`::ffff:a00:7`, any
// spelling) turned into its IPv4 address, in canonical text (dotted decimal; RFC 5952 IPv6).
import ipaddr from 'ipaddr.js';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

export interface Address {
  /** Canonical text: `10.0.0.7`, `2001:db8::1`. */
  readonly text: string;
  readonly family: 4 | 6;
  readonly addr: IpAddress;
}

export type AddressProblem = 'not-an-ip' | 'zone' | 'leading-zero' | 'network' | 'meaningless';

export type AddressResult =
  | { ok: true; address: Address }
  | { ok: false; input: string; problem: AddressProblem; /** What is wrong, as a person reads it (after the quoted value). */ reason: string };

/** INET6_ADDRSTRLEN - 1: the longest text form (`ffff:…:ffff:255.255.255.255`). */
const MAX_LENGTH = 45;
const DOTTED_DIGITS = /^\d+\.\d+\.\d+\.\d+$/;

function fail(input: string, problem: AddressProblem, reason: string): AddressResult {
  return { ok: false, input, problem, reason };
}

const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

/**
 * inet_pton's IPv4: four decimal octets 0-255, no leading zeros (`(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`
 * each), read by hand rather than by a regex and a split: an alert's address is read per alert.
 */
function ipv4Octets(text: string): number[] | null {
  const n = text.length;
  if (n < 7 || n > 15) return null;
  const out: number[] = [];
  let i = 0;
  for (;;) {
    const start = i;
    let v = 0;
    while (i < n && i - start < 4) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + c - 48;
      i++;
    }
    const len = i - start;
    // 1-3 digits, no leading zero, at most 255 (25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)
    if (len === 0 || len > 3 || (len > 1 && text.charCodeAt(start) === 48) || v > 255) return null;
    out.push(v);
    if (out.length === 4) return i === n ? out : null;
    if (i >= n || text.charCodeAt(i) !== 46) return null;
    i++;
  }
}

/** inet_pton's IPv6 (RFC 4291 text, optionally ending in a dotted quad): its eight groups, or null. */
function ipv6Parts(text: string): number[] | null {
  let s = text;
  const tail = s.slice(s.lastIndexOf(':') + 1);
  if (tail.includes('.')) {
    const o = ipv4Octets(tail);
    if (o === null) return null;
    s = `${s.slice(0, s.length - tail.length)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const groups = (run: string): number[] | null => {
    if (run === '') return [];
    const out: number[] = [];
    for (const g of run.split(':')) {
      if (!HEX_GROUP.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const gap = s.indexOf('::');
  if (gap < 0) {
    const all = groups(s);
    return all !== null && all.length === 8 ? all : null;
  }
  const head = groups(s.slice(0, gap));
  const rest = groups(s.slice(gap + 2));
  if (head === null || rest === null || head.length + rest.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
}

/**
 * Reads `text` as exactly one IP address, strictly (what inet_pton accepts: IPv4 in dotted decimal
 * only, no octal, hex or short forms; no zone; no prefix), and normalises it: an IPv4-mapped IPv6
 * address becomes IPv4. Nothing is trimmed: callers that take typed input trim it first.
 */
export function parseIp(text: string): AddressResult {
  if (text.length === 0 || text.length > MAX_LENGTH) return fail(text, 'not-an-ip', 'is not an IPv4 or IPv6 address');
  if (text.includes('%')) return fail(text, 'zone', 'has a zone index (%…): it names an interface of one host, not an address to act on');
  if (text.includes('/')) return fail(text, 'network', 'is a network (address/prefix), not one address');
  const v4 = ipv4Octets(text);
  // Dotted decimal without leading zeros is already the canonical text (ipaddr's toString).
  if (v4 !== null) return { ok: true, address: { text, family: 4, addr: new ipaddr.IPv4(v4) } };
  const parts = text.includes(':') ? ipv6Parts(text) : null;
  if (parts !== null) {
    const v6 = new ipaddr.IPv6(parts);
    // ipaddr's isIPv4MappedAddress() (::ffff:0:0/96, which no range before it in its list overlaps), without its range walk.
    if (parts[0] === 0 && parts[1] === 0 && parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0xffff) {
      const mapped = v6.toIPv4Address();
      return { ok: true, address: { text: mapped.toString(), family: 4, addr: mapped } };
    }
    return { ok: true, address: { text: v6.toRFC5952String(), family: 6, addr: v6 } };
  }
  // A dotted quad with a leading zero (`010.0.0.7`, `::ffff:010.0.0.7`): 010 is 8 to inet_aton and
  // 10 to others. Refused with its own reason rather than guessed.
  const tail = text.slice(text.lastIndexOf(':') + 1);
  if (DOTTED_DIGITS.test(tail) && tail.split('.').some((o) => o.length > 1 && o.startsWith('0'))) {
    const decimal = `${text.slice(0, text.length - tail.length)}${tail.split('.').map((o) => String(Number(o))).join('.')}`;
    if (parseIp(decimal).ok) return fail(text, 'leading-zero', 'has an octet with a leading zero, which some parsers read as octal');
  }
  return fail(text, 'not-an-ip', 'is not an IPv4 or IPv6 address');
}

/**
 * Why an active response must not act on `a`, or null: the unspecified address and "this network"
 * (0.0.0.0/8, `::`), broadcast, multicast (224.0.0.0/4, ff00::/8), the reserved 240.0.0.0/4, and
 * IPv4-compatible IPv6 (`::a.b.c.d`, deprecated by RFC 4291; some parsers read it as IPv4). None is
 * the source of a real attack; blocking one does nothing useful or cuts off something that is not
 * the attacker. Documentation ranges (TEST-NET) are allowed: tests and labs use them.
 */
export function meaninglessReason(a: Address): string | null {
  if (a.addr.kind() === 'ipv4') {
    // ipaddr's range() by the first octet: its first matches are unspecified (0/8), broadcast
    // (255.255.255.255) and multicast (224/4), none of which another of its ranges overlaps.
    const o = (a.addr as ipaddr.IPv4).octets;
    const first = o[0]!;
    if (first === 0) return 'is in 0.0.0.0/8 ("this network"), never a real source';
    if (first === 255 && o[1] === 255 && o[2] === 255 && o[3] === 255) return 'is the broadcast address';
    if (first >= 224 && first < 240) return 'is a multicast address (224.0.0.0/4)';
    if (first >= 240) return 'is in the reserved range 240.0.0.0/4';
    return null;
  }
  // ipaddr's range() by the groups: unspecified (::), multicast (ff00::/8) and loopback (::1) are
  // the only ranges here, and none of those before them in its list (link-local) overlaps them.
  const p = (a.addr as ipaddr.IPv6).parts;
  const zero6 = p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0;
  if (zero6 && p[6] === 0 && p[7] === 0) return 'is the unspecified address ::';
  if (p[0]! >= 0xff00) return 'is a multicast address (ff00::/8)';
  if (zero6 && !(p[6] === 0 && p[7] === 1)) return 'is an IPv4-compatible IPv6 address (::a.b.c.d, deprecated by RFC 4291)';
  return null;
}

/** The one check for an address an active response acts on: `parseIp`, then `meaninglessReason`. */
export function blockTarget(text: string): AddressResult {
  const r = parseIp(text);
  if (!r.ok) return r;
  const why = meaninglessReason(r.address);
  return why === null ? r : fail(text, 'meaningless', why);
}

/** The canonical text of `text`, or null (for lookups and filters that only need the value). */
export function canonicalIp(text: string): string | null {
  const r = parseIp(text);
  return r.ok ? r.address.text : null;
}

/**
 * The key a per-address limit counts by (sign-in guesses, syslog connections): an IPv4 address as
 * is, an IPv6 address by its /64, since one host usually holds a whole /64 and counting single
 * IPv6 addresses would be no limit at all. Text that is not an address is its own key.
 */
export function addressGroup(text: string): string {
  const r = parseIp(text);
  if (!r.ok) return text;
  if (r.address.family === 4) return r.address.text;
  const parts = (r.address.addr as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toRFC5952String()}/64`;
}
