// The contract every log source implements. Sources turn something outside (a file, the journal,
// a socket) into raw lines for the pipeline; they know nothing about decoding or rules.

/** One line as it came in, before any decoding. */
export interface RawLine {
  line: string;
  /** Where it came from, OSSEC's "location": a file path, `journald`, `syslog:<ip>`. */
  location: string;
  /** Reception time, ms since the epoch. */
  receivedAt: number;
}

export type SourceKind = 'file' | 'journald' | 'syslog-udp' | 'syslog-tcp';
export type SourceState = 'starting' | 'running' | 'waiting' | 'failed' | 'stopped';

export interface SourceStatus {
  id: string;
  kind: SourceKind;
  target: string;
  state: SourceState;
  linesRead: number;
  lastError: string | null;
  lastErrorAt: number | null;
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
