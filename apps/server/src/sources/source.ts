// The contract every log source implements. Sources turn something outside (a file, the journal,
// a socket) into raw lines for the pipeline; they know nothing about decoding or rules.

/** One line as it came in, before any decoding. */
export interface RawLine {
  line: string;
  /** Where it came from, OSSEC's "location": a file path, `journald`, `syslog:<ip>`. */
  location: string;
  /** Reception time, ms since the epoch. */
  receivedAt: number;
  /** The registered host that authenticated the sender (many hosts); absent for the server's own sources. */
  host?: string;
}

/**
 * OSSEC's location for a line from a remote agent, `(web1) 10.0.0.5->/var/log/auth.log`: used for
 * the lines of an authenticated host, so correlation (`same_location`) keeps hosts apart.
 */
export function hostLocation(host: string, address: string, path: string): string {
  const ip = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  return `(${host}) ${ip}->${path}`;
}

export type SourceKind = 'file' | 'journald' | 'syslog-udp' | 'syslog-tcp' | 'syslog-tls' | 'http-ingest' | 'journal-upload';
export type SourceState = 'starting' | 'running' | 'waiting' | 'failed' | 'stopped';

export interface SourceStatus {
  id: string;
  kind: SourceKind;
  target: string;
  state: SourceState;
  linesRead: number;
  lastError: string | null;
  lastErrorAt: number | null;
  /** Lines turned away, by reason (never dropped silently). */
  dropped?: Record<string, number>;
  /** The last few senders or processes turned away, newest first. */
  recentDrops?: RecentDrop[];
}

export interface RecentDrop {
  /** A sender address, or what a journal entry claimed and really was. */
  from: string;
  reason: string;
  count: number;
  lastAt: number;
}

/** Counts per reason, plus the last few origins, for what a source turns away. */
export class DropCounter {
  readonly counts: Record<string, number> = {};
  readonly #recent: RecentDrop[] = [];
  readonly #keep: number;

  constructor(keep = 10) {
    this.#keep = keep;
  }

  /** Counts `n` under `reason`; `from`, when given, goes to the front of the recent list. */
  add(reason: string, from?: string, n = 1): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + n;
    if (from === undefined) return;
    const at = Date.now();
    const i = this.#recent.findIndex((r) => r.from === from && r.reason === reason);
    const entry = i >= 0 ? this.#recent.splice(i, 1)[0]! : { from, reason, count: 0, lastAt: at };
    entry.count += n;
    entry.lastAt = at;
    this.#recent.unshift(entry);
    if (this.#recent.length > this.#keep) this.#recent.pop();
  }

  total(): number {
    let n = 0;
    for (const v of Object.values(this.counts)) n += v;
    return n;
  }

  snapshot(): Record<string, number> {
    return { ...this.counts };
  }

  recent(): RecentDrop[] {
    return this.#recent.map((r) => ({ ...r }));
  }
}

/**
 * A source never throws out of `start()`: a failure (file unreadable, port taken, binary missing)
 * shows as state `failed` with `lastError`, and the source retries by itself with backoff.
 */
export interface Source {
  readonly id: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): SourceStatus;
}

/**
 * Receives lines in batches. It must not throw, and it must be synchronous: sources that keep a
 * read position (file, journald) treat its return as "these lines are persisted" and move their
 * position past them right after.
 */
export type LineSink = (lines: RawLine[]) => void;

/**
 * Runs `fn` atomically. Sources that persist a position call the sink and then the position store
 * inside one `atomic` call, so a caller who passes `(fn) => db.transaction(fn)()` gets the lines'
 * effects and the new position committed together. The default just calls `fn`.
 */
export type Atomic = (fn: () => void) => void;

export const runDirectly: Atomic = (fn) => fn();

export interface BackoffOptions {
  /** First retry delay, ms. Default 1000. */
  initialMs?: number;
  /** Longest delay, ms. Default 30000. */
  maxMs?: number;
}

/** Retry delays doubling from `initialMs` up to `maxMs`; `reset()` after a success. */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #nextMs: number;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 1000;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#nextMs = this.#initialMs;
  }

  next(): number {
    const delay = this.#nextMs;
    this.#nextMs = Math.min(this.#nextMs * 2, this.#maxMs);
    return delay;
  }

  reset(): void {
    this.#nextMs = this.#initialMs;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
