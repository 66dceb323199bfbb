// Follows one log file by path, the way OSSEC's logcollector and `tail -F` do, keeping an exact
// byte position so that a restart neither loses nor repeats a line.
//
// This is our own small tailer rather than the `tail` package: `tail` exposes no byte offset (so a
// position cannot be persisted or resumed), throws on a file that does not exist yet, and re-follows
// a rotated file only after a fixed one-second delay without finishing the old one first. Here we
// read with positional reads on our own fd, so the offset we persist is exactly the end of the last
// line handed to the sink.

import { watch, type FSWatcher, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { findRotated, isNotFound, sameFile, statOrNull, type FilePosition, type PositionStore } from './file-position.js';
import {
  Backoff,
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

export interface FileTailerOptions {
  path: string;
  sink: LineSink;
  positions?: PositionStore;
  atomic?: Atomic;
  /** With no stored position, read an existing file from its start instead of its end. */
  fromStart?: boolean;
  /** A last line without a newline is emitted once the file has not changed for this long. Default 1000. */
  partialLineMs?: number;
  /** Safety-net poll interval beside fs.watch, ms. Default 250. */
  pollMs?: number;
  chunkBytes?: number;
  maxBatchLines?: number;
  /** Longer lines are cut to this many bytes and the rest up to the newline is discarded. Default 64 KiB. */
  maxLineBytes?: number;
  backoff?: BackoffOptions;
  id?: string;
  /** Location given to each line; defaults to the path. */
  location?: string;
  /** Used as the stored position when the store has none (a pattern source seeds a rotated file with it). */
  initialPosition?: FilePosition;
  /** Called when the tailer has read a file to its end and let go of it (rotated away or deleted). */
  onFileDone?: (pos: FilePosition) => void;
}

interface OpenFile {
  fh: FileHandle;
  dev: number;
  ino: number;
  /** Committed offset: just past the last line the sink accepted. */
  offset: number;
}

const NEWLINE = 0x0a;
/** Event-loop time one batch of a backlog should take, ms. */
const BATCH_TARGET_MS = 10;
const MIN_BATCH_LINES = 50;

/** Resolves after the event loop has handled what was waiting (I/O callbacks, timers). */
function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
const CR = 0x0d;

export class FileTailer implements Source {
  readonly id: string;
  readonly path: string;
  readonly #o: Required<Omit<FileTailerOptions, 'positions' | 'backoff' | 'id' | 'initialPosition' | 'onFileDone'>> &
    Pick<FileTailerOptions, 'positions' | 'initialPosition' | 'onFileDone'>;
  readonly #backoff: Backoff;
  #file: OpenFile | null = null;
  #initialized = false;
  #firstSeen: { dev: number; ino: number } | null | undefined;
  #started = false;
  #stopped = true;
  #state: SourceState = 'stopped';
  #linesRead = 0;
  #lastError: string | null = null;
  #lastErrorAt: number | null = null;
  #retryAt = 0;
  #lastSize = -1;
  #lastChangeAt = 0;
  #skipping = false;
  #timer: NodeJS.Timeout | null = null;
  #watcher: FSWatcher | null = null;
  #pumping: Promise<void> | null = null;
  #again = false;
  /** Resolves start() once the file is open at its position. */
  #opened: (() => void) | null = null;
  /** Lines per batch while reading a backlog (see #adaptBatch). */
  #batchLines: number;

  constructor(options: FileTailerOptions) {
    this.path = options.path;
    this.id = options.id ?? `file:${options.path}`;
    this.#backoff = new Backoff(options.backoff);
    this.#batchLines = Math.min(options.maxBatchLines ?? 2000, 500);
    this.#o = {
      path: options.path,
      sink: options.sink,
      positions: options.positions,
      atomic: options.atomic ?? runDirectly,
      fromStart: options.fromStart ?? false,
      partialLineMs: options.partialLineMs ?? 1000,
      pollMs: options.pollMs ?? 250,
      chunkBytes: options.chunkBytes ?? 256 * 1024,
      maxBatchLines: options.maxBatchLines ?? 2000,
      maxLineBytes: options.maxLineBytes ?? 64 * 1024,
      location: options.location ?? options.path,
      initialPosition: options.initialPosition,
      onFileDone: options.onFileDone,
    };
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#stopped = false;
    this.#initialized = false;
    this.#firstSeen = undefined;
    this.#state = 'starting';
    this.#retryAt = 0;
    this.#backoff.reset();
    this.#watch();
    this.#timer = setInterval(() => void this.#pump(), this.#o.pollMs);
    // Started once the file is open at its position (or found missing, or failed): a backlog, or a
    // file written faster than it is read, is read on in the background, never holding up the
    // server's start.
    const opened = new Promise<void>((resolve) => {
      this.#opened = resolve;
    });
    await Promise.race([this.#pump(), opened]);
    this.#opened = null;
  }

  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#watcher?.close();
    this.#watcher = null;
    await this.#pumping;
    await this.#closeFile();
    this.#state = 'stopped';
    this.#started = false;
  }

  status(): SourceStatus {
    return {
      id: this.id,
      kind: 'file',
      target: this.path,
      state: this.#state,
      linesRead: this.#linesRead,
      lastError: this.#lastError,
      lastErrorAt: this.#lastErrorAt,
    };
  }

  /** The file being read now, if any: its identity and committed offset. */
  currentFile(): FilePosition | null {
    const f = this.#file;
    return f ? { dev: f.dev, ino: f.ino, offset: f.offset } : null;
  }

  /** Reads whatever is there now; the poll and watcher call it too. Never rejects. */
  poke(): Promise<void> {
    return this.#pump();
  }

  #watch(): void {
    if (this.#watcher || this.#stopped) return;
    const base = path.basename(this.path);
    try {
      // The directory, not the file: a watch on the file would stay on the old inode after a rename.
      this.#watcher = watch(path.dirname(this.path), { persistent: false }, (_event, name) => {
        if (!name || name.startsWith(base)) void this.#pump();
      });
      this.#watcher.on('error', () => {
        this.#watcher?.close();
        this.#watcher = null;
      });
    } catch {
      this.#watcher = null; // directory missing for now; the poll keeps trying
    }
  }

  #pump(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#pumping) {
      this.#again = true;
      return this.#pumping;
    }
    this.#pumping = (async () => {
      try {
        do {
          this.#again = false;
          await this.#attempt();
        } while (this.#again && !this.#stopped);
      } finally {
        this.#pumping = null;
      }
    })();
    return this.#pumping;
  }

  async #attempt(): Promise<void> {
    if (Date.now() < this.#retryAt) return;
    this.#watch();
    try {
      await this.#step();
      this.#state = this.#file ? 'running' : 'waiting';
      this.#retryAt = 0;
      this.#backoff.reset();
    } catch (err) {
      this.#state = 'failed';
      this.#lastError = errorMessage(err);
      this.#lastErrorAt = Date.now();
      this.#retryAt = Date.now() + this.#backoff.next();
    }
  }

  async #step(): Promise<void> {
    if (!this.#initialized) {
      await this.#openInitial();
      this.#initialized = true;
    }
    if (!this.#file && !(await this.#openPath(this.path, () => 0))) return;
    if (this.#opened) {
      this.#state = 'running';
      this.#opened();
    }
    await this.#readAvailable(false);

    const file = this.#file;
    if (!file) return;
    const current = await statOrNull(this.path);
    if (current && sameFile(current, file)) return;
    if (!current && (await file.fh.stat()).nlink > 0) return; // renamed away, not yet replaced: keep following it
    // Rotated (another file now at path) or deleted: finish the old file, then move on.
    await this.#readAvailable(true);
    this.#o.onFileDone?.({ dev: file.dev, ino: file.ino, offset: file.offset });
    await this.#closeFile();
    if (current) await this.#openPath(this.path, () => 0);
    if (this.#file) await this.#readAvailable(false);
  }

  async #openInitial(): Promise<void> {
    const stored = this.#o.positions?.get(this.path) ?? this.#o.initialPosition;
    if (!stored) {
      // "Start at the end" is for the file that was there when we started, even if opening it failed
      // at first and is being retried; a file that appeared since is new and read from 0.
      if (this.#firstSeen === undefined) {
        const st = await statOrNull(this.path);
        this.#firstSeen = st?.isFile() ? st : null;
      }
      const firstSeen = this.#firstSeen;
      const atEnd = (st: Stats): boolean => !this.#o.fromStart && firstSeen !== null && sameFile(st, firstSeen);
      const opened = await this.#openPath(this.path, (st) => (atEnd(st) ? st.size : 0));
      if (opened) this.#persist(opened, []); // so lines written before our first read are not skipped after a crash
      return;
    }
    const resume = (st: Stats): number => (st.size >= stored.offset ? stored.offset : 0);
    const current = await statOrNull(this.path);
    if (current && sameFile(current, stored)) {
      if (await this.#openPath(this.path, (st) => (sameFile(st, stored) ? resume(st) : 0))) return;
    }
    const rotated = await findRotated(this.path, stored);
    if (rotated && (await this.#openPath(rotated, (st) => (sameFile(st, stored) ? resume(st) : 0)))) return;
    await this.#openPath(this.path, () => 0);
  }

  /** Opens `file` and positions at `offset(stats)`; returns null if it does not exist. */
  async #openPath(file: string, offset: (st: Stats) => number): Promise<OpenFile | null> {
    let fh: FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new Error(`${file} is not a regular file`);
      this.#file = { fh, dev: st.dev, ino: st.ino, offset: offset(st) };
      this.#lastSize = -1;
      this.#skipping = false;
      return this.#file;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async #closeFile(): Promise<void> {
    const file = this.#file;
    this.#file = null;
    await file?.fh.close().catch(() => undefined);
  }

  /** Reads from the committed offset to the end; `final` also emits a trailing partial line. */
  async #readAvailable(final: boolean): Promise<void> {
    const file = this.#file;
    if (!file) return;
    const { size } = await file.fh.stat();
    if (size < file.offset) {
      file.offset = 0; // truncated in place (copytruncate or `> file`): start over
      this.#skipping = false;
    }
    if (size !== this.#lastSize) {
      this.#lastSize = size;
      this.#lastChangeAt = Date.now();
    }
    if (size === file.offset) return;

    const { chunkBytes, maxBatchLines, maxLineBytes } = this.#o;
    let batch: RawLine[] = [];
    let committed = file.offset;
    let readPos = file.offset;
    let carry = Buffer.alloc(0);
    const receivedAt = Date.now();
    const emit = (bytes: Buffer): void => {
      const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
      if (end === 0) return; // empty lines carry no event
      batch.push({ line: bytes.toString('utf8', 0, end), location: this.#o.location, receivedAt });
    };
    const flush = (): void => {
      if (committed === file.offset && batch.length === 0) return;
      this.#persist(file, batch, committed);
      batch = [];
    };

    // Reused between reads: lines become strings and the carry is copied before the next read.
    const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(size - file.offset, 16 * 1024)));
    for (;;) {
      const { bytesRead } = await file.fh.read(chunk, 0, chunk.length, readPos);
      if (bytesRead === 0) break;
      readPos += bytesRead;
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const bufStart = readPos - buf.length;
      let lineStart = 0;
      for (let nl = buf.indexOf(NEWLINE); nl !== -1; nl = buf.indexOf(NEWLINE, lineStart)) {
        if (this.#skipping) this.#skipping = false;
        else emit(buf.subarray(lineStart, Math.min(nl, lineStart + maxLineBytes)));
        lineStart = nl + 1;
        committed = bufStart + lineStart;
        if (batch.length >= this.#batchLines) {
          const started = performance.now();
          flush();
          this.#adaptBatch(performance.now() - started, maxBatchLines);
          // Let the API, the timers and the other sources in between batches: a backlog read at
          // full speed is then many short tasks, not one long one per chunk.
          await yieldToLoop();
        }
      }
      carry = Buffer.from(buf.subarray(lineStart));
      if (carry.length > maxLineBytes) {
        // Cut, and drop the rest up to the next newline: a forged line hidden in the tail of a huge
        // one must not reach the rules as a line of its own.
        if (!this.#skipping) emit(carry.subarray(0, maxLineBytes));
        this.#skipping = true;
        committed = readPos;
        carry = Buffer.alloc(0);
      }
    }
    if (carry.length > 0 && (final || Date.now() - this.#lastChangeAt >= this.#o.partialLineMs)) {
      if (!this.#skipping) emit(carry);
      committed = readPos; // the partial line is consumed: its continuation, if any, is a new line
    }
    flush();
  }

  /**
   * Sizes the next batch so that one takes about BATCH_TARGET_MS of the event loop (the engine, the
   * inserts and the live feed for its lines): halved when one took twice that, grown back when fast.
   */
  #adaptBatch(tookMs: number, max: number): void {
    if (tookMs > 2 * BATCH_TARGET_MS) this.#batchLines = Math.max(MIN_BATCH_LINES, this.#batchLines >> 1);
    else if (tookMs < BATCH_TARGET_MS / 2) this.#batchLines = Math.min(max, this.#batchLines * 2);
  }

  #persist(file: OpenFile, lines: RawLine[], offset = file.offset): void {
    const position: FilePosition = { dev: file.dev, ino: file.ino, offset, size: this.#lastSize >= 0 ? this.#lastSize : offset };
    this.#o.atomic(() => {
      if (lines.length > 0) this.#o.sink(lines);
      this.#o.positions?.set(this.path, position);
    });
    file.offset = offset;
    this.#linesRead += lines.length;
  }
}
