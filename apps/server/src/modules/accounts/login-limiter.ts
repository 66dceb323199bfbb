// Guessing limits for secrets checked over the network (passwords, the setup token, API tokens).
//
// An attempt takes its slot with `admit` before the secret is checked, synchronously, so parallel
// requests see each other: a slot in flight counts as a failure until `finish` says otherwise.
// Two limits:
//  - per source address (IPv6 by /64): at most `maxFailures` failures in a sliding window, then
//    refused until the oldest failure leaves the window;
//  - per (account, address): after `backoffAfter` failures, each further attempt waits 2^k s
//    (capped) after the last failure, and only one runs at a time.
// Nothing is counted per account across addresses: failures from one address never hold back
// the right password from another. In memory: a restart forgets, which gives one more window.
import { addressGroup } from '@portcullis/engine';

export interface LimiterOptions {
  /** Failures one address may have in `windowMs`. */
  maxFailures: number;
  windowMs: number;
  /** Failures on one account from one address before the backoff starts. */
  backoffAfter: number;
  maxBackoffMs: number;
  /** How long an (account, address) pair's failures are remembered after its last one. */
  pairMemoryMs: number;
}

export const DEFAULT_LIMITS: LimiterOptions = {
  maxFailures: 10,
  windowMs: 15 * 60_000,
  backoffAfter: 5,
  maxBackoffMs: 5 * 60_000,
  pairMemoryMs: 24 * 3600_000,
};

/** What `admit` answers: go ahead (then call `finish` exactly once), or wait. */
export type Admission =
  | { ok: true; finish(succeeded: boolean, now?: number): void }
  | {
      ok: false;
      /** Seconds until an attempt may succeed in being admitted. */
      retryAfter: number;
      /** The address's first refusal since its last counted failure (audit this one, not every refusal). */
      first: boolean;
      /** Which limit refused: the address, or this account from this address. */
      by: 'address' | 'account';
    };

interface AddressState {
  failures: number[];
  inFlight: number;
  refused: boolean;
}

interface PairState {
  failures: number;
  last: number;
  inFlight: number;
}

const MAX_ENTRIES = 100_000;

export class LoginLimiter {
  readonly #addresses = new Map<string, AddressState>();
  readonly #pairs = new Map<string, PairState>();
  readonly #o: LimiterOptions;

  constructor(options: Partial<LimiterOptions> = {}) {
    this.#o = { ...DEFAULT_LIMITS, ...options };
  }

  /** Takes a slot for one attempt from `ip` (on `account`, when a name was given), or refuses. */
  admit(ip: string, account: string | null, now = Date.now()): Admission {
    const aKey = addressGroup(ip);
    const a = this.#address(aKey, now);
    const pKey = account === null ? null : `${account.toLowerCase()}\u0000${aKey}`;
    const p = pKey === null ? null : this.#pair(pKey, now);

    const addressWait = this.#addressWait(a, now);
    const pairWait = p ? this.#pairWait(p, now) : 0;
    if (addressWait > 0 || pairWait > 0) {
      const first = !a.refused;
      a.refused = true;
      return { ok: false, retryAfter: Math.max(addressWait, pairWait), first, by: addressWait >= pairWait ? 'address' : 'account' };
    }

    a.inFlight++;
    if (p) p.inFlight++;
    this.#sweep(now);
    let finished = false;
    return {
      ok: true,
      finish: (succeeded, at = Date.now()) => {
        if (finished) return;
        finished = true;
        a.inFlight--;
        if (p) p.inFlight--;
        if (succeeded) {
          if (p) p.failures = 0;
          return;
        }
        a.failures.push(at);
        a.refused = false;
        if (p) Object.assign(p, { failures: p.failures + 1, last: at });
      },
    };
  }

  /** Seconds the address must wait: 0 while failures plus attempts in flight are under budget. */
  #addressWait(a: AddressState, now: number): number {
    if (a.failures.length + a.inFlight < this.#o.maxFailures) return 0;
    // Over budget only by attempts still running: they finish within moments.
    if (a.failures.length < this.#o.maxFailures) return 1;
    const oldest = a.failures[a.failures.length - this.#o.maxFailures]!;
    return Math.max(1, Math.ceil((oldest + this.#o.windowMs - now) / 1000));
  }

  #pairWait(p: PairState, now: number): number {
    if (p.failures + p.inFlight < this.#o.backoffAfter) return 0;
    if (p.inFlight > 0) return 1;
    const wait = p.last + this.backoffMs(p.failures) - now;
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  /** The wait after `failures` failures on one account from one address. */
  backoffMs(failures: number): number {
    if (failures < this.#o.backoffAfter) return 0;
    return Math.min(this.#o.maxBackoffMs, 1000 * 2 ** (failures - this.#o.backoffAfter));
  }

  #address(key: string, now: number): AddressState {
    let a = this.#addresses.get(key);
    if (!a) {
      a = { failures: [], inFlight: 0, refused: false };
      this.#addresses.set(key, a);
    }
    const cut = now - this.#o.windowMs;
    if (a.failures.length > 0 && a.failures[0]! <= cut) a.failures = a.failures.filter((t) => t > cut);
    return a;
  }

  #pair(key: string, now: number): PairState {
    let p = this.#pairs.get(key);
    if (!p) {
      p = { failures: 0, last: 0, inFlight: 0 };
      this.#pairs.set(key, p);
    }
    if (p.failures > 0 && p.last <= now - this.#o.pairMemoryMs) p.failures = 0;
    return p;
  }

  /** Forgets idle entries; past the cap, the oldest idle ones go first. */
  #sweep(now: number): void {
    if (this.#addresses.size + this.#pairs.size <= MAX_ENTRIES) return;
    const cut = now - this.#o.windowMs;
    for (const [k, a] of this.#addresses) if (a.inFlight === 0 && !a.failures.some((t) => t > cut)) this.#addresses.delete(k);
    for (const [k, p] of this.#pairs) if (p.inFlight === 0 && (p.failures === 0 || p.last <= now - this.#o.pairMemoryMs)) this.#pairs.delete(k);
    for (const map of [this.#pairs, this.#addresses] as Array<Map<string, { inFlight: number }>>) {
      for (const [k, v] of map) {
        if (this.#addresses.size + this.#pairs.size <= MAX_ENTRIES * 0.9) return;
        if (v.inFlight === 0) map.delete(k);
      }
    }
  }
}
