// Wrong bouncer keys, counted per source address (IPv6 by /64): after MAX_FAILURES in WINDOW_MS
// an address is answered 429 without its key being looked at, until its oldest failure leaves the
// window. Each counted failure is one audit row; refusals while limited are not (no audit flood).
// In memory: a restart forgets.
import { addressGroup } from '@portcullis/engine';

export const MAX_FAILURES = 10;
export const WINDOW_MS = 60_000;
const MAX_ENTRIES = 10_000;

export class KeyLimiter {
  readonly #failures = new Map<string, number[]>();

  /** Seconds to wait when this address is limited now, else 0. */
  retryAfter(address: string, now: number): number {
    const list = this.#recent(addressGroup(address), now);
    if (list.length < MAX_FAILURES) return 0;
    return Math.max(1, Math.ceil((list[0]! + WINDOW_MS - now) / 1000));
  }

  fail(address: string, now: number): void {
    const k = addressGroup(address);
    const list = this.#recent(k, now);
    list.push(now);
    this.#failures.set(k, list);
    if (this.#failures.size > MAX_ENTRIES) {
      for (const [key, l] of this.#failures) if (l.length === 0 || l[l.length - 1]! <= now - WINDOW_MS) this.#failures.delete(key);
    }
  }

  #recent(k: string, now: number): number[] {
    const list = (this.#failures.get(k) ?? []).filter((t) => t > now - WINDOW_MS);
    if (list.length === 0) this.#failures.delete(k);
    return list;
  }
}
