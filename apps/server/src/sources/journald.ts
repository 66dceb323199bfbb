// The systemd journal as a source: a `journalctl -f -o json` child process (spawned without a
// shell), each entry turned into a classic syslog line for OSSEC's pre-decoder, and the journal
// cursor persisted so a restart continues after the last entry handed on. Entries that name a
// guarded program (sshd) without coming from it are dropped and counted (see journal-trust.ts):
// filtered here rather than with journalctl matches, so a forgery is seen and shown, not just missed.

import { spawn, type ChildProcess } from 'node:child_process';
import { JournalTrust } from './journal-trust.js';
import {
  Backoff,
  DropCounter,
  errorMessage,
  runDirectly,
  type Atomic,
  type BackoffOptions,
  type LineSink,
  type RawLine,
  type Source,
  type SourceState,
  type SourceStatus,
} from './source.js';
import { formatSyslogTime } from './syslog-time.js';

/**
 * Where the journal cursor lives between runs. Same contract as the file PositionStore: `set` is
 * called inside the same `atomic` call as, and right after, the sink that received the entries up to
 * that cursor has returned.
 */
export interface CursorStore {
  get(): string | undefined;
  set(cursor: string): void;
}

export interface JournaldSourceOptions {
  sink: LineSink;
  cursor?: CursorStore;
  atomic?: Atomic;
  /** `--unit=<unit>` (`-u`): only this systemd unit. */
  unit?: string;
  /** `--identifier=<id>`: only this syslog identifier. */
  identifier?: string;
  /**
   * Identifiers read only from their own process running as a trusted `_UID` (see journal-trust.ts).
   * Default: `identifier` when one is set, else `sshd`.
   */
  guardedIdentifiers?: readonly string[];
  /** The `_UID`s a guarded program runs as, or 'any'. Default root only. */
  trustedUids?: readonly number[] | 'any';
  /** The journalctl binary; a bare name is looked up on PATH. Default `journalctl`. */
  journalctlPath?: string;
  /** Environment for the child (its PATH is where a bare binary name is looked up); default inherited. */
  env?: NodeJS.ProcessEnv;
  backoff?: BackoffOptions;
  maxBatchLines?: number;
  id?: string;
}

type JournalValue = string | number[] | null | undefined;
type JournalEntry = Record<string, JournalValue | JournalValue[]>;

interface Run {
  child: ChildProcess;
  /** Why this run is being ended, if we decided so (spawn error, sink failure). */
  reason: string | null;
}

/** A journal field as text: strings as they are, byte arrays (non-UTF-8 or binary-safe) decoded as UTF-8. */
function fieldText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.every((b) => typeof b === 'number')) return Buffer.from(value as number[]).toString('utf8');
    return fieldText(value[0]); // a field set more than once: the first value
  }
  return undefined;
}

/**
 * Turns one `journalctl -o json` entry into `Mmm dd hh:mm:ss host ident[pid]: message` (local time).
 * Returns null for entries without a message. Line breaks inside the message become spaces, so one
 * entry is one line and cannot pose as a second one.
 */
/** The identifier a line will carry: SYSLOG_IDENTIFIER, else the process name, else `journal`. */
export function journalIdentifier(entry: JournalEntry): string {
  return fieldText(entry.SYSLOG_IDENTIFIER) ?? fieldText(entry._COMM) ?? 'journal';
}

export function journalEntryToLine(entry: JournalEntry): string | null {
  const rawMessage = fieldText(entry.MESSAGE);
  if (rawMessage === undefined) return null;
  const message = rawMessage.replace(/[\r\n]+$/, '').replace(/[\r\n\0]/g, ' ');
  const micros = Number(fieldText(entry.__REALTIME_TIMESTAMP) ?? fieldText(entry._SOURCE_REALTIME_TIMESTAMP));
  const time = formatSyslogTime(Number.isFinite(micros) ? new Date(Math.floor(micros / 1000)) : new Date());
  const host = fieldText(entry._HOSTNAME) ?? 'localhost';
  const ident = journalIdentifier(entry);
  const pid = fieldText(entry._PID) ?? fieldText(entry.SYSLOG_PID);
  return `${time} ${host} ${ident}${pid ? `[${pid}]` : ''}: ${message}`;
}

export class JournaldSource implements Source {
  readonly id: string;
  readonly #o: JournaldSourceOptions;
  readonly #atomic: Atomic;
  readonly #backoff: Backoff;
  readonly #trust: JournalTrust;
  readonly #dropped = new DropCounter();
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #cursor: string | undefined;
  #firstStartSec: number | undefined;
  #state: SourceState = 'stopped';
  #stopped = true;
  #linesRead = 0;
  #lastError: string | null = null;
  #lastErrorAt: number | null = null;
  #retryTimer: NodeJS.Timeout | null = null;

  constructor(options: JournaldSourceOptions) {
    this.#o = options;
    this.#atomic = options.atomic ?? runDirectly;
    this.#backoff = new Backoff(options.backoff);
    this.#trust = new JournalTrust({
      identifiers: options.guardedIdentifiers ?? (options.identifier ? [options.identifier] : ['sshd']),
      uids: options.trustedUids ?? [0],
    });
    const filter = options.unit ? `:${options.unit}` : options.identifier ? `:${options.identifier}` : '';
    this.id = options.id ?? `journald${filter}`;
  }

  /** The journalctl arguments for a run that continues after `cursor`, or from `sinceSec` without one. */
  args(cursor: string | undefined, sinceSec?: number): string[] {
    // --all: without it journalctl replaces fields over 4096 bytes by null and we would lose them.
    const args = ['-f', '-o', 'json', '--no-pager', '--all'];
    // `--opt=value` forms, so a configured value starting with `-` cannot become an option.
    if (this.#o.unit) args.push(`--unit=${this.#o.unit}`);
    if (this.#o.identifier) args.push(`--identifier=${this.#o.identifier}`);
    // Without a cursor, start at the end, like a file with no stored position; a restart before any
    // entry was acknowledged goes back to the second we first started, so nothing in between is lost.
    if (cursor) args.push(`--after-cursor=${cursor}`);
    else if (sinceSec !== undefined) args.push(`--since=@${sinceSec}`);
    else args.push('--lines=0');
    return args;
  }

  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#state = 'starting';
    this.#cursor = this.#o.cursor?.get();
    this.#firstStartSec = undefined;
    await this.#spawn();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#child?.kill('SIGTERM');
    await this.#exited;
    this.#state = 'stopped';
  }

  status(): SourceStatus {
    return {
      id: this.id,
      kind: 'journald',
      target: this.#o.unit ? `unit ${this.#o.unit}` : this.#o.identifier ? `identifier ${this.#o.identifier}` : 'journal',
      state: this.#state,
      linesRead: this.#linesRead,
      lastError: this.#lastError,
      lastErrorAt: this.#lastErrorAt,
      dropped: this.#dropped.snapshot(),
      recentDrops: this.#dropped.recent(),
    };
  }

  /** Resolves once the child has spawned or failed to; its end (always a 'close') schedules the retry. */
  #spawn(): Promise<void> {
    const bin = this.#o.journalctlPath ?? 'journalctl';
    const args = this.args(this.#cursor, this.#firstStartSec);
    this.#firstStartSec ??= Math.floor(Date.now() / 1000);
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(this.#o.env ? { env: this.#o.env } : {}) });
    const run: Run = { child, reason: null };
    this.#child = child;
    let stderrTail = '';
    let pending = '';

    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\n');
      pending = parts.pop() ?? '';
      this.#handle(run, parts);
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-2000);
    });

    this.#exited = new Promise<void>((resolve) => {
      child.on('close', (code, signal) => {
        if (pending) this.#handle(run, [pending]);
        this.#child = null;
        resolve();
        if (this.#stopped) return;
        const detail = stderrTail.trim().split('\n').pop();
        this.#fail(run.reason ?? `journalctl exited (${signal ?? `code ${code}`})${detail ? `: ${detail}` : ''}`);
      });
    });

    return new Promise<void>((resolve) => {
      child.once('spawn', () => {
        if (!this.#stopped) this.#state = 'running';
        resolve();
      });
      child.once('error', (err: NodeJS.ErrnoException) => {
        run.reason ??=
          err.code === 'ENOENT'
            ? `journalctl not found (${bin}): is systemd installed? The binary path can be configured`
            : `cannot run ${bin}: ${err.message}`;
        this.#state = 'failed'; // 'close' follows and schedules the retry
        this.#lastError = run.reason;
        this.#lastErrorAt = Date.now();
        resolve();
      });
    });
  }

  #handle(run: Run, jsonLines: string[]): void {
    // A failed run, or one being stopped: what follows is not acknowledged and is read again next time.
    if (run.reason !== null || this.#stopped) return;
    const max = this.#o.maxBatchLines ?? 5000;
    const receivedAt = Date.now();
    let batch: RawLine[] = [];
    let cursor: string | undefined;
    const flush = (): boolean => {
      if (!cursor) return true;
      const lines = batch;
      const at = cursor;
      try {
        this.#atomic(() => {
          if (lines.length > 0) this.#o.sink(lines);
          this.#o.cursor?.set(at);
        });
      } catch (err) {
        // Not acknowledged: restart from the last cursor that was, so nothing is lost.
        run.reason = `sink failed: ${errorMessage(err)}`;
        run.child.kill('SIGTERM');
        return false;
      }
      this.#cursor = at;
      this.#linesRead += lines.length;
      batch = [];
      cursor = undefined;
      return true;
    };
    for (const json of jsonLines) {
      if (!json.trim()) continue;
      let entry: unknown;
      try {
        entry = JSON.parse(json);
      } catch {
        continue; // not an entry; nothing to acknowledge
      }
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
      const forged = this.#trust.check(entry as JournalEntry, journalIdentifier(entry as JournalEntry));
      const line = forged === null ? journalEntryToLine(entry as JournalEntry) : null;
      if (forged !== null) this.#dropped.add('untrusted-identifier', forged);
      else if (line !== null) batch.push({ line, location: 'journald', receivedAt });
      cursor = fieldText((entry as JournalEntry).__CURSOR) ?? cursor;
      if (batch.length >= max && !flush()) return;
    }
    if (!flush()) return;
    if (this.#state === 'running') this.#backoff.reset();
  }

  #fail(message: string): void {
    this.#state = 'failed';
    this.#lastError = message;
    this.#lastErrorAt = Date.now();
    if (this.#stopped || this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#stopped) void this.#spawn();
    }, this.#backoff.next());
  }
}
