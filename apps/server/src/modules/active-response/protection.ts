// Addresses never blocked whatever the rules say (design §5.5): loopback, this host's own addresses
// and the addresses signed-in admins use, unless the config turns protection off
// (`<portcullis><admin_protection>no</admin_protection>`). The white list is checked before this.
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';
import { canonicalIp } from './ar-args.js';

export interface ProtectionOptions {
  enabled: boolean;
  /** Addresses of signed-in admins, read when asked (sessions change). */
  adminAddresses?: () => Iterable<string>;
  /** This host's addresses; default: every interface address, re-read at most every 30 s. */
  hostAddresses?: () => Iterable<string>;
  now?: () => number;
}

/**
 * The canonical address of a socket or interface address. A link-local one may carry a zone
 * (`fe80::1%eth0`); the zone names our interface, the address is still the admin's or ours.
 */
function withoutZone(a: string): string | null {
  return canonicalIp(a.split('%')[0]!);
}

function interfaceAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address);
  return out;
}

export class Protection {
  readonly #o: ProtectionOptions;
  #host: Set<string> = new Set();
  #hostReadAt = -Infinity;

  constructor(o: ProtectionOptions) {
    this.#o = o;
  }

  get enabled(): boolean {
    return this.#o.enabled;
  }

  /** Why `ip` (canonical) is protected, or null. */
  covers(ip: string): string | null {
    if (!this.#o.enabled) return null;
    const addr = ipaddr.parse(ip);
    if (addr.range() === 'loopback') return 'loopback address';
    if (this.#hostSet().has(ip)) return "this host's own address";
    for (const a of this.#o.adminAddresses?.() ?? []) if (withoutZone(a) === ip) return 'address of a signed-in admin';
    return null;
  }

  /** What is protected now, for the white list page (empty when protection is off). */
  list(): Array<{ value: string; reason: string }> {
    if (!this.#o.enabled) return [];
    const out = [{ value: '127.0.0.0/8', reason: 'loopback' }, { value: '::1', reason: 'loopback' }];
    const seen = new Set(out.map((e) => e.value));
    const add = (value: string, reason: string) => {
      if (seen.has(value) || ipaddr.parse(value).range() === 'loopback') return;
      seen.add(value);
      out.push({ value, reason });
    };
    for (const a of this.#hostSet()) add(a, "this host's own address");
    for (const a of this.#o.adminAddresses?.() ?? []) {
      const ip = withoutZone(a);
      if (ip) add(ip, 'address of a signed-in admin');
    }
    return out;
  }

  #hostSet(): Set<string> {
    const now = this.#o.now?.() ?? Date.now();
    if (now - this.#hostReadAt > 30_000) {
      const list = this.#o.hostAddresses?.() ?? interfaceAddresses();
      this.#host = new Set([...list].map(withoutZone).filter((a): a is string => a !== null));
      this.#hostReadAt = now;
    }
    return this.#host;
  }
}
