// One `<localfile><location>` as a source: the location may hold glob wildcards and `%`-strftime
// tokens (OSSEC expands both), so it stands for a changing set of files, each followed by its own
// FileTailer. The set is re-evaluated every minute.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import type { FilePosition } from './file-position.js';
import { FileTailer, type FileTailerOptions } from './file-tailer.js';
import { errorMessage, type Source, type SourceState, type SourceStatus } from './source.js';
import { MONTHS, WEEKDAYS, pad2 } from './syslog-time.js';

const FULL_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const FULL_WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Expands the strftime tokens OSSEC locations use, in local time; unknown tokens stay as written. */
export function expandStrftime(pattern: string, date: Date): string {
  return pattern.replace(/%([a-zA-Z%])/g, (whole, token: string) => {
    const hour = date.getHours();
    switch (token) {
      case 'Y': return String(date.getFullYear());
      case 'y': return pad2(date.getFullYear() % 100);
      case 'm': return pad2(date.getMonth() + 1);
      case 'd': return pad2(date.getDate());
      case 'e': return String(date.getDate()).padStart(2, ' ');
      case 'H': return pad2(hour);
      case 'I': return pad2(hour % 12 === 0 ? 12 : hour % 12);
      case 'M': return pad2(date.getMinutes());
      case 'S': return pad2(date.getSeconds());
      case 'p': return hour < 12 ? 'AM' : 'PM';
      case 'b': case 'h': return MONTHS[date.getMonth()]!;
      case 'B': return FULL_MONTHS[date.getMonth()]!;
      case 'a': return WEEKDAYS[date.getDay()]!;
      case 'A': return FULL_WEEKDAYS[date.getDay()]!;
      case 'j': return String(dayOfYear(date)).padStart(3, '0');
      case '%': return '%';
      default: return whole;
    }
  });
}

function dayOfYear(date: Date): number {
  const start = new Date(date.getFullYear(), 0, 1);
  const today = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  return Math.round((today.getTime() - start.getTime()) / 86_400_000) + 1;
}

/** True when the path has glob(3) wildcards. */
export function hasGlob(location: string): boolean {
  return /[*?[]/.test(location);
}

/**
 * The files a location stands for at `date`: a plain path is itself (whether or not it exists yet);
 * a wildcard path is the regular files that match now, sorted.
 */
export async function expandLocation(location: string, date: Date): Promise<string[]> {
  const expanded = path.resolve(expandStrftime(location, date));
  if (!hasGlob(expanded)) return [expanded];
  // Glob from the deepest directory without wildcards, so the crawl stays inside it.
  const parts = expanded.split(path.sep);
  const firstWild = parts.findIndex(hasGlob);
  const base = parts.slice(0, firstWild).join(path.sep) || path.sep;
  const rest = parts.slice(firstWild).join('/');
  const found = await glob(rest, {
    cwd: base,
    absolute: true,
    onlyFiles: true,
    dot: true,
    expandDirectories: false,
    braceExpansion: false, // glob(3) as OSSEC calls it has no braces or extglobs
    extglob: false,
  });
  return found.map((f) => path.normalize(f)).sort();
}

export interface FilePatternSourceOptions extends Omit<FileTailerOptions, 'path' | 'id' | 'location' | 'initialPosition' | 'onFileDone'> {
  /** The `<location>` as configured. */
  pattern: string;
  id?: string;
  /** How often the pattern is re-evaluated, ms. Default 60000. */
  rescanMs?: number;
  /** The clock for `%` tokens; injectable for tests. */
  now?: () => Date;
}

/** Remembers this many files we finished, to recognise them if a wildcard later matches them. */
const MAX_DONE = 1000;

/**
 * A Source over all files a location matches. Files found at the first scan follow the usual start
 * rule (end of file, unless `fromStart` or a stored position); files that appear later are read
 * from 0. Files that stop matching keep being read until they disappear.
 *
 * A rotated file that a wildcard matches under its new name (`app.log` → `app.log.1` with
 * `/var/log/app*`) is not read again from 0: a tailer that finished that file left its position,
 * and the new tailer starts from there.
 */
export class FilePatternSource implements Source {
  readonly id: string;
  readonly pattern: string;
  readonly #tailerOptions: Omit<FileTailerOptions, 'path'>;
  readonly #rescanMs: number;
  readonly #now: () => Date;
  readonly #tailers = new Map<string, FileTailer>();
  readonly #done = new Map<string, FilePosition>();
  #retiredLines = 0;
  #scanned = false;
  #started = false;
  #scanFailing = false;
  #scanError: string | null = null;
  #scanErrorAt: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  #scanning: Promise<void> | null = null;

  constructor(options: FilePatternSourceOptions) {
    const { pattern: _pattern, id: _id, rescanMs, now, ...tailerOptions } = options;
    this.#tailerOptions = tailerOptions;
    this.#rescanMs = rescanMs ?? 60_000;
    this.#now = now ?? (() => new Date());
    this.pattern = options.pattern;
    this.id = options.id ?? `file:${options.pattern}`;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#scanned = false;
    await this.rescan();
    this.#timer = setInterval(() => void this.rescan(), this.#rescanMs);
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#scanning;
    await Promise.all([...this.#tailers.values()].map((t) => t.stop()));
  }

  /** Re-evaluates the pattern now (the timer does this every `rescanMs`). Never rejects. */
  rescan(): Promise<void> {
    this.#scanning ??= this.#rescan().finally(() => {
      this.#scanning = null;
    });
    return this.#scanning;
  }

  async #rescan(): Promise<void> {
    if (!this.#started) return;
    let targets: string[];
    try {
      targets = await expandLocation(this.pattern, this.#now());
      this.#scanFailing = false;
    } catch (err) {
      this.#scanFailing = true;
      this.#scanError = errorMessage(err);
      this.#scanErrorAt = Date.now();
      return;
    }
    const wanted = new Set(targets);
    const open = new Set([...this.#tailers.values()].map((t) => t.currentFile()).filter((f) => f !== null).map(fileKey));
    for (const file of targets) {
      if (this.#tailers.has(file) || !this.#started) continue;
      const st = await stat(file).catch(() => null);
      if (st && open.has(fileKey(st))) continue; // being finished by the tailer it was rotated away from
      const tailer = new FileTailer({
        ...this.#tailerOptions,
        path: file,
        fromStart: this.#scanned ? true : this.#tailerOptions.fromStart,
        initialPosition: st ? this.#done.get(fileKey(st)) : undefined,
        onFileDone: (pos) => this.#remember(pos),
      });
      this.#tailers.set(file, tailer);
      await tailer.start();
    }
    for (const [file, tailer] of this.#tailers) {
      if (wanted.has(file) || tailer.status().state !== 'waiting') continue;
      this.#tailers.delete(file);
      this.#retiredLines += tailer.status().linesRead;
      await tailer.stop();
    }
    this.#scanned = true;
  }

  #remember(pos: FilePosition): void {
    this.#done.delete(fileKey(pos));
    this.#done.set(fileKey(pos), pos);
    if (this.#done.size > MAX_DONE) this.#done.delete(this.#done.keys().next().value!);
  }

  /** One status per file currently followed. */
  files(): SourceStatus[] {
    return [...this.#tailers.values()].map((t) => t.status());
  }

  status(): SourceStatus {
    const files = this.files();
    let state: SourceState;
    if (!this.#started) state = 'stopped';
    else if (!this.#scanned) state = 'starting';
    else if (this.#scanFailing || files.some((f) => f.state === 'failed')) state = 'failed';
    else if (files.some((f) => f.state === 'running')) state = 'running';
    else state = 'waiting';
    const errors = files
      .filter((f) => f.lastErrorAt !== null)
      .map((f) => ({ message: `${f.target}: ${f.lastError}`, at: f.lastErrorAt! }));
    if (this.#scanErrorAt !== null) errors.push({ message: `${this.pattern}: ${this.#scanError}`, at: this.#scanErrorAt });
    const latest = errors.sort((a, b) => b.at - a.at)[0];
    return {
      id: this.id,
      kind: 'file',
      target: this.pattern,
      state,
      linesRead: this.#retiredLines + files.reduce((n, f) => n + f.linesRead, 0),
      lastError: latest?.message ?? null,
      lastErrorAt: latest?.at ?? null,
    };
  }
}

function fileKey(f: { dev: number; ino: number }): string {
  return `${f.dev}:${f.ino}`;
}
