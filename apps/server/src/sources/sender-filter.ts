// Who may send to a syslog receiver: OSSEC's <allowed-ips> and <denied-ips>. Deny wins over allow.
// With no allowed list a receiver takes only this host's own senders (loopback and the addresses of
// its interfaces), so a receiver bound to 0.0.0.0 is not a way for anyone on the network to feed
// the rules (and get addresses blocked) until someone says who may.
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** One parsed allow/deny entry. */
export interface IpRange {
  /** As written. */
  readonly text: string;
  readonly net: Address;
  readonly bits: number;
}

export class IpRangeError extends Error {}

/** Why a sender was turned away. */
export type Refusal = 'denied' | 'not-allowed';

/** `::ffff:10.0.0.7` and `::ffff:a00:7` are 10.0.0.7; a zone (`%eth0`) is dropped. Null when not an address. */
export function canonicalAddress(text: string): Address | null {
  const bare = text.trim().split('%')[0]!;
  let addr: Address;
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) addr = ipaddr.IPv4.parse(bare);
  else if (ipaddr.IPv6.isValid(bare)) addr = ipaddr.IPv6.parse(bare);
  else return null;
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) return (addr as ipaddr.IPv6).toIPv4Address();
  return addr;
}

/**
 * An address or network as OSSEC takes it in <allowed-ips>: `10.0.0.7`, `10.0.0.0/8`,
 * `10.0.0.0/255.0.0.0`, `2001:db8::/32`, `::ffff:10.0.0.0/104` (taken as 10.0.0.0/8), or `any`.
 * Throws IpRangeError saying what is wrong with `text`.
 */
export function parseIpRange(text: string): IpRange[] {
  const t = text.trim();
  if (t.toLowerCase() === 'any') return [
    { text: t, net: ipaddr.IPv4.parse('0.0.0.0'), bits: 0 },
    { text: t, net: ipaddr.IPv6.parse('::'), bits: 0 },
  ];
  const slash = t.indexOf('/');
  const addrText = slash >= 0 ? t.slice(0, slash) : t;
  if (addrText.includes('%')) throw new IpRangeError(`"${text}" is not an IP address or network (no %zone here)`);
  const parsed = ipaddr.IPv4.isValidFourPartDecimal(addrText) ? ipaddr.IPv4.parse(addrText) : ipaddr.IPv6.isValid(addrText) ? ipaddr.IPv6.parse(addrText) : null;
  if (!parsed) throw new IpRangeError(`"${text}" is not an IP address or network`);
  const max = parsed.kind() === 'ipv4' ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const suffix = t.slice(slash + 1);
    if (/^\d{1,3}$/.test(suffix)) bits = Number(suffix);
    else if (parsed.kind() === 'ipv4' && ipaddr.IPv4.isValidFourPartDecimal(suffix)) {
      const fromMask = ipaddr.IPv4.parse(suffix).prefixLengthFromSubnetMask();
      if (fromMask === null) throw new IpRangeError(`"${text}": ${suffix} is not a netmask`);
      bits = fromMask;
    } else throw new IpRangeError(`"${text}": "${suffix}" is not a prefix length`);
    if (bits > max) throw new IpRangeError(`"${text}": a prefix length is at most ${max}`);
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    if (bits < 96) throw new IpRangeError(`"${text}": an IPv4-mapped network needs a prefix of at least 96`);
    return [{ text: t, net: (parsed as ipaddr.IPv6).toIPv4Address(), bits: bits - 96 }];
  }
  return [{ text: t, net: parsed, bits }];
}

function inRanges(addr: Address, ranges: readonly IpRange[]): boolean {
  for (const r of ranges) if (r.net.kind() === addr.kind() && addr.match(r.net as never, r.bits)) return true;
  return false;
}

function interfaceAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address);
  return out;
}

export interface SenderFilterOptions {
  /** <allowed-ips> entries, as written. Empty: local senders only. */
  allowed?: readonly string[];
  /** <denied-ips> entries, as written; they win over `allowed`. */
  denied?: readonly string[];
  /** This host's addresses for the local-only default; default: the interfaces', re-read every 30 s. */
  hostAddresses?: () => Iterable<string>;
}

/** Decides per sender address; decisions are cached (a flood comes from few addresses). */
export class SenderFilter {
  readonly allowed: readonly IpRange[];
  readonly denied: readonly IpRange[];
  readonly #hostAddresses: () => Iterable<string>;
  #host: IpRange[] = [];
  #hostReadAt = -Infinity;
  readonly #cache = new Map<string, Refusal | null>();

  /** Throws IpRangeError on a bad entry. */
  constructor(options: SenderFilterOptions = {}) {
    this.allowed = (options.allowed ?? []).flatMap(parseIpRange);
    this.denied = (options.denied ?? []).flatMap(parseIpRange);
    this.#hostAddresses = options.hostAddresses ?? interfaceAddresses;
  }

  /** True when no <allowed-ips> was given: only loopback and this host's addresses may send. */
  get localOnly(): boolean {
    return this.allowed.length === 0;
  }

  /** Null when `sender` may send, else why not. */
  check(sender: string): Refusal | null {
    if (this.localOnly) this.#refreshHost();
    const cached = this.#cache.get(sender);
    if (cached !== undefined) return cached;
    const verdict = this.#decide(sender);
    if (this.#cache.size >= 4096) this.#cache.clear();
    this.#cache.set(sender, verdict);
    return verdict;
  }

  /** One line for the status and the start-up log. */
  describe(): string {
    const allowed = this.localOnly ? 'local senders only (loopback and this host\'s addresses)' : `allowed ${this.allowed.map((r) => r.text).filter((t, i, a) => a.indexOf(t) === i).join(', ')}`;
    const denied = this.denied.length > 0 ? `; denied ${this.denied.map((r) => r.text).filter((t, i, a) => a.indexOf(t) === i).join(', ')}` : '';
    return allowed + denied;
  }

  #decide(sender: string): Refusal | null {
    const addr = canonicalAddress(sender);
    if (!addr) return 'not-allowed';
    if (inRanges(addr, this.denied)) return 'denied';
    if (this.localOnly) return addr.range() === 'loopback' || inRanges(addr, this.#host) ? null : 'not-allowed';
    return inRanges(addr, this.allowed) ? null : 'not-allowed';
  }

  #refreshHost(): void {
    const now = Date.now();
    if (now - this.#hostReadAt < 30_000) return;
    this.#hostReadAt = now;
    const host: IpRange[] = [];
    for (const a of this.#hostAddresses()) {
      const addr = canonicalAddress(a);
      if (addr) host.push({ text: a, net: addr, bits: addr.kind() === 'ipv4' ? 32 : 128 });
    }
    this.#host = host;
    this.#cache.clear();
  }
}

/**
 * What a per-sender limit counts by: an IPv4 address, or an IPv6 /64 (one host usually holds a
 * whole /64, so counting single IPv6 addresses would be no limit at all).
 */
export function senderGroup(sender: string): string {
  const addr = canonicalAddress(sender);
  if (!addr) return sender;
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}
