// Who may send to a syslog receiver: OSSEC's <allowed-ips> and <denied-ips>. Deny wins over allow.
// With no allowed list a receiver takes only this host's own senders (loopback and the addresses of
// its interfaces), so a receiver bound to 0.0.0.0 is not a way for anyone on the network to feed
// the rules (and get addresses blocked) until someone says who may.
import { networkInterfaces } from 'node:os';
import { IpListError, addressGroup, parseIp, parseIpEntry, type IpAddress } from '@portcullis/engine';
import ipaddr from 'ipaddr.js';

type Address = IpAddress;

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

/** A socket's peer address read as the engine reads every address (`::ffff:a00:7` is 10.0.0.7); a zone (`%eth0`) is dropped. Null when not an address. */
export function canonicalAddress(text: string): Address | null {
  const r = parseIp(text.trim().split('%')[0]!);
  return r.ok ? r.address.addr : null;
}

/**
 * An address or network as OSSEC takes it in <allowed-ips>: `10.0.0.7`, `10.0.0.0/8`,
 * `10.0.0.0/255.0.0.0`, `2001:db8::/32`, `::ffff:10.0.0.0/104` (taken as 10.0.0.0/8), or `any`:
 * the white list's entry syntax (the engine's parseIpEntry), without its `!`.
 * Throws IpRangeError saying what is wrong with `text`.
 */
export function parseIpRange(text: string): IpRange[] {
  const t = text.trim();
  if (t.startsWith('!')) throw new IpRangeError(`"${text}": no "!" here (list the addresses to refuse in <denied-ips>)`);
  let entry;
  try {
    entry = parseIpEntry(t);
  } catch (err) {
    if (err instanceof IpListError) throw new IpRangeError(err.message);
    throw err;
  }
  if (entry.any) return [
    { text: t, net: ipaddr.IPv4.parse('0.0.0.0'), bits: 0 },
    { text: t, net: ipaddr.IPv6.parse('::'), bits: 0 },
  ];
  const [net, bits] = entry.net!;
  return [{ text: t, net, bits }];
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

/** What a per-sender limit counts by (an IPv4 address, an IPv6 /64): the engine's addressGroup. */
export const senderGroup = addressGroup;
