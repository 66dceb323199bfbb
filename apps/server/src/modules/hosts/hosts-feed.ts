// The live `hosts` event: which registered hosts changed (a bouncer pull, lines, an alert from the
// host, an auth failure, added, rotated, revoked), coalesced so 50 bouncers pulling every second
// make at most one event a second: the first change goes out at once, the rest at the window's end.
import type { LiveHostsChange } from '@portcullis/shared';

export const HOSTS_FEED_MS = 1000;

export class HostsFeed {
  readonly #emit: (change: LiveHostsChange) => void;
  readonly #nameOf: (id: number) => string | undefined;
  readonly #windowMs: number;
  readonly #pending = new Set<number | string>();
  #timer: NodeJS.Timeout | null = null;

  constructor(emit: (change: LiveHostsChange) => void, nameOf: (id: number) => string | undefined, windowMs = HOSTS_FEED_MS) {
    this.#emit = emit;
    this.#nameOf = nameOf;
    this.#windowMs = windowMs;
  }

  /** A host (id or name) changed. */
  readonly changed = (host: number | string): void => {
    this.#pending.add(host);
    if (this.#timer === null) this.#flush();
  };

  #flush(): void {
    if (this.#pending.size === 0) {
      this.#timer = null;
      return;
    }
    const names = new Set<string>();
    for (const h of this.#pending) {
      const name = typeof h === 'number' ? this.#nameOf(h) : h;
      if (name !== undefined) names.add(name);
    }
    this.#pending.clear();
    if (names.size > 0) this.#emit({ names: [...names].sort() });
    this.#timer = setTimeout(() => this.#flush(), this.#windowMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending.clear();
  }
}
