// `replay` on two cores: a reader thread reads the file, pre-decodes and decodes each line (about
// half of the work per line, none of it with state), and hands the lines over in batches with their
// events described as integers (engine/event-wire.ts); the main thread rebuilds each event and runs
// the rule walk, correlation and active responses in line order, exactly as one thread does. Both
// threads load the same config and rules (the reader starts before the main thread has loaded
// them, so their start-ups overlap); the main thread checks the reader's decoders are its own
// before taking a line, and replays alone when they are not (a rule file changed in between) or
// when the thread could not start.
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { EventReader, EventWriter, LogClock, decoderSetKey, type WireBatch } from '@portcullis/engine';
import type { Replayer } from '../pipeline/replayer.js';
import { entryOf } from '../workers/worker-pool.js';
import { loadContext, newEngine, tzOffset, type Context, type ContextOptions } from './context.js';
import { forEachLine } from './read-lines.js';

/** Lines per batch handed over. */
const BATCH_LINES = 1024;
const FIRST_BATCH_LINES = 64;
/** Batches the reader may be ahead of the main thread (bounds the memory of a fast reader). */
const AHEAD = 8;
/** Control words shared by the two threads. */
const SENT = 0;
const TAKEN = 1;
const STOP = 2;

export interface ReaderInit {
  role: 'replay-reader';
  file: string;
  context: Pick<ContextOptions, 'home' | 'config' | 'dialect'>;
  control: SharedArrayBuffer;
  port: MessagePort;
}

type ReaderMessage =
  | { type: 'ready'; key: string }
  | ({ type: 'batch' } & WireBatch)
  | { type: 'done' }
  | { type: 'error'; message: string; code: string | undefined };

/** The reader thread's work (run by the worker entry, bundled or not). */
export function runReader(init: ReaderInit): void {
  const { port } = init;
  const control = new Int32Array(init.control);
  const post = (m: ReaderMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  try {
    const ctx = loadContext(init.context);
    const engine = newEngine(ctx);
    post({ type: 'ready', key: decoderSetKey(ctx.ruleset.decoders) });
    const writer = new EventWriter(ctx.ruleset.decoders);
    let sent = 0;
    const send = (): void => {
      // The arrays of batches read come back to be filled again.
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        writer.recycle((m.message as { ints: Int32Array }).ints);
      }
      const batch = writer.take();
      post({ type: 'batch', ...batch }, [batch.ints.buffer as ArrayBuffer]);
      Atomics.store(control, SENT, ++sent);
      for (;;) {
        if (Atomics.load(control, STOP) !== 0) throw new Stopped();
        const taken = Atomics.load(control, TAKEN);
        if (sent - taken <= AHEAD) break;
        Atomics.wait(control, TAKEN, taken, 100);
      }
    };
    // The first batch is short: the main thread is waiting for it.
    let batchLines = FIRST_BATCH_LINES;
    forEachLine(init.file, (line) => {
      writer.add(line, engine.decodeLine(line, init.file, 0));
      if (writer.count >= batchLines) {
        send();
        batchLines = BATCH_LINES;
      }
    });
    if (writer.count > 0) send();
    post({ type: 'done' });
  } catch (err) {
    if (err instanceof Stopped) return;
    post({ type: 'error', message: err instanceof Error ? err.message : String(err), code: (err as { code?: string }).code });
  } finally {
    port.close();
  }
}

class Stopped extends Error {}

/** Whether a replay of `file` should use a reader thread: two cores or more and a regular file. */
export function readerWanted(file: string, threads: number | undefined): boolean {
  if ((threads ?? (availableParallelism() >= 2 ? 2 : 1)) < 2) return false;
  try {
    return statSync(file).isFile();
  } catch {
    return false; // replaying alone reports why the file cannot be read
  }
}

declare const PORTCULLIS_BUNDLED_ENGINE_DIGEST: string | undefined;

/** The worker's entry: the CLI bundle again when running from it (its start-up), else the module. */
function workerEntry(): { url: URL; data: Record<string, unknown> } {
  if (typeof PORTCULLIS_BUNDLED_ENGINE_DIGEST === 'string') {
    const bundle = fileURLToPath(import.meta.url);
    return { url: new URL('../bin/bundle-worker.js', import.meta.url), data: { bundle } };
  }
  const { url, workerData } = entryOf(new URL('../workers/replay-reader.worker.js', import.meta.url));
  return { url, data: (workerData ?? {}) as Record<string, unknown> };
}

/** A reader thread, started early; `run` feeds its lines to a Replayer once the main thread is ready. */
export class ReaderThread {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #control: Int32Array;
  readonly #file: string;
  /** Messages that came before `run` (the thread starts while the main thread loads the rules). */
  readonly #early: ReaderMessage[] = [];
  #onMessage: ((m: ReaderMessage) => void) | null = null;
  #failure: Error | null = null;

  constructor(file: string, context: ReaderInit['context']) {
    this.#file = file;
    const control = new SharedArrayBuffer(3 * 4);
    this.#control = new Int32Array(control);
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const entry = workerEntry();
    const init: ReaderInit = { role: 'replay-reader', file, context, control, port: port2 };
    this.#worker = new Worker(entry.url, { workerData: { ...entry.data, ...init }, transferList: [port2] });
    this.#worker.unref();
    port1.on('message', (m: ReaderMessage) => this.#deliver(m));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => {
      // Its last messages may not have been delivered yet (they go by a port of their own).
      for (let m = receiveMessageOnPort(port1); m !== undefined; m = receiveMessageOnPort(port1)) this.#deliver(m.message as ReaderMessage);
      this.#fail(new Error(`the replay reader thread ended (status ${code})`));
    });
  }

  #deliver(m: ReaderMessage): void {
    if (this.#onMessage) this.#onMessage(m);
    else this.#early.push(m);
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    this.#onMessage?.({ type: 'error', message: err.message, code: (err as { code?: string }).code });
  }

  /**
   * Feeds every line of the file to `r`, in order, through the reader thread. False (nothing fed)
   * when the thread is of no use: it failed before its first line, or loaded other decoders than
   * `ctx` (the caller replays alone). A failure after that (the file could not be read) throws.
   */
  run(ctx: Context, r: Replayer, year: number, now: number): Promise<boolean> {
    const clock = new LogClock(year, tzOffset);
    let time = now;
    const reader = new EventReader(r.engine, ctx.ruleset.decoders, this.#file);
    const key = decoderSetKey(ctx.ruleset.decoders);
    const file = this.#file;
    let started = false;
    let taken = 0;
    return new Promise<boolean>((resolve, reject) => {
      const finish = (result: boolean | Error): void => {
        this.#onMessage = () => {};
        Atomics.store(this.#control, STOP, 1);
        Atomics.notify(this.#control, TAKEN);
        this.#port.close();
        void this.#worker.terminate();
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      this.#onMessage = (m) => {
        switch (m.type) {
          case 'ready':
            if (m.key !== key) return finish(false);
            started = true;
            return;
          case 'batch':
            try {
              reader.forEach(m, (line, ev) => {
                const t = clock.time(line);
                if (t !== null) time = t;
                if (ev !== null) ev.time = time;
                r.feedDecoded(line, file, time, ev);
              });
            } catch (err) {
              return finish(err instanceof Error ? err : new Error(String(err)));
            }
            this.#port.postMessage({ ints: m.ints }, [m.ints.buffer as ArrayBuffer]);
            Atomics.store(this.#control, TAKEN, ++taken);
            Atomics.notify(this.#control, TAKEN);
            return;
          case 'done':
            return finish(true);
          case 'error': {
            if (!started) return finish(false);
            const err = new Error(m.message) as Error & { code?: string };
            if (m.code !== undefined) err.code = m.code;
            return finish(err);
          }
        }
      };
      for (const m of this.#early.splice(0)) this.#onMessage(m);
      if (this.#failure !== null && !started) finish(false);
    });
  }

  /** Stops the thread (a replay that ended another way). */
  stop(): void {
    Atomics.store(this.#control, STOP, 1);
    Atomics.notify(this.#control, TAKEN);
    this.#port.close();
    void this.#worker.terminate();
  }
}
