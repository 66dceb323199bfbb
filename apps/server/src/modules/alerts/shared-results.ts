// Identical requests share one computation: while it runs, each new caller waits for the same
// answer, and a finished answer is handed out for `ttlMs` more, or twice as long as it took to
// compute when that is longer (so a slow query, stats over a million alerts, keeps the reader busy
// a third of the time at most however often dashboards ask). Five dashboards refreshing the same
// stats cost one query. The computation is aborted only when every caller waiting for it has
// gone away; a failure is not kept (the next caller tries again).
import { JobAbortedError } from '../../workers/worker-pool.js';

interface Entry<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiting: number;
  /** When a finished answer stops being handed out, ms; null while it runs. */
  expires: number | null;
}

export interface SharedResultsStats {
  /** Computations started. */
  computed: number;
  /** Callers that waited for a computation another caller started. */
  joined: number;
  /** Callers answered from a finished computation. */
  reused: number;
}

export class SharedResults<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #stats: SharedResultsStats = { computed: 0, joined: 0, reused: 0 };

  constructor(
    private readonly ttlMs: number,
    /** Finished answers kept at most (the oldest go first). */
    private readonly maxKept = 64,
    private readonly now: () => number = Date.now,
  ) {}

  stats(): SharedResultsStats {
    return { ...this.#stats };
  }

  /** The answer for `key`: shared, reused, or from `compute` (given a signal that aborts when nobody waits any more). */
  get(key: string, signal: AbortSignal | undefined, compute: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal?.aborted) return Promise.reject(new JobAbortedError('the client went away'));
    this.#sweep();
    let entry = this.#entries.get(key);
    if (entry?.expires != null) {
      this.#stats.reused++;
      return entry.promise;
    }
    if (entry) this.#stats.joined++;
    else entry = this.#start(key, compute);
    return this.#wait(key, entry, signal);
  }

  #start(key: string, compute: (signal: AbortSignal) => Promise<T>): Entry<T> {
    this.#stats.computed++;
    const controller = new AbortController();
    const entry: Entry<T> = { promise: Promise.resolve() as Promise<T>, controller, waiting: 0, expires: null };
    const started = this.now();
    entry.promise = compute(controller.signal).then(
      (value) => {
        const now = this.now();
        entry.expires = now + Math.max(this.ttlMs, 2 * (now - started));
        return value;
      },
      (err: unknown) => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
        throw err;
      },
    );
    // Every caller may have left before it failed: nobody else is there to hear it.
    entry.promise.catch(() => {});
    this.#entries.set(key, entry);
    return entry;
  }

  #wait(key: string, entry: Entry<T>, signal: AbortSignal | undefined): Promise<T> {
    entry.waiting++;
    if (!signal) return entry.promise; // a caller that never leaves
    return new Promise<T>((resolve, reject) => {
      const leave = (): void => {
        entry.waiting--;
        reject(new JobAbortedError('the client went away'));
        if (entry.waiting === 0 && entry.expires === null) {
          if (this.#entries.get(key) === entry) this.#entries.delete(key);
          entry.controller.abort();
        }
      };
      signal.addEventListener('abort', leave, { once: true });
      entry.promise.then(
        (value) => {
          signal.removeEventListener('abort', leave);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(err as Error);
        },
      );
    });
  }

  #sweep(): void {
    const now = this.now();
    const done: string[] = [];
    for (const [key, e] of this.#entries) {
      if (e.expires === null) continue;
      if (e.expires <= now) this.#entries.delete(key);
      else done.push(key);
    }
    // Map order is insertion order: the oldest finished answers go first.
    for (const key of done.slice(0, Math.max(0, done.length - this.maxKept))) this.#entries.delete(key);
  }
}
