// `replay` on two cores: a reader thread reads the file, pre-decodes and decodes each line (about
// half of the work per line, none of it with state), and hands the lines over in batches with their
// events described as integers (engine/event-wire.ts); the main thread rebuilds each event and runs
// the rule walk, correlation and active responses in line order, exactly as one thread does.
//
// The thread loads the config and rules while the main thread does the same and then replays
// alone; once the thread says it is ready, with the main thread's decoders, the main thread stops
// at the end of a line and the thread reads on from there. So no line waits for the thread's start-up
// (though it takes CPU from this one's, and both threads start with cold code: replay.ts starts a
// thread only for files large enough to gain), and a rule file changed between the two loads (other
// decoders) or a thread that cannot start only leave the main thread replaying alone.
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { CompiledRuleset, Engine, Event } from '@portcullis/engine';
import { EventReader, EventWriter, decoderSetKey, type WireBatch } from '@portcullis/engine';
import { entryOf } from '../workers/worker-pool.js';
import { loadContext, newEngine, type ContextOptions } from './context.js';
import { forEachLine } from './read-lines.js';

/** Lines per batch handed over. */
const BATCH_LINES = 1024;
/** Batches the reader may be ahead of the main thread (bounds the memory of a fast reader). */
const AHEAD = 8;
/** Control words shared by the two threads. */
const SENT = 0;
const TAKEN = 1;
const STOP = 2;
const GO = 3;

export interface ReaderInit {
  role: 'replay-reader';
  file: string;
  /** The file, opened by the main thread (threads share descriptors): a file renamed or replaced meanwhile is still the one read. */
  fd: number;
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
    // Where the main thread stopped: the first message back.
    let from = -1;
    while (from < 0) {
      const m = receiveMessageOnPort(port);
      if (m !== undefined) from = (m.message as { start: number }).start;
      else if (Atomics.load(control, STOP) !== 0) return;
      else Atomics.wait(control, GO, 0, 100);
    }
    const writer = new EventWriter(ctx.ruleset.decoders);
    let sent = 0;
    const send = (): void => {
      // The arrays of batches read come back to be filled again.
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) writer.recycle((m.message as { ints: Int32Array }).ints);
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
    let batchLines = 64;
    forEachLine(
      init.fd,
      (line, ascii, at) => {
        // When the main thread is about to run out of lines (it has taken every batch but the one
        // it is on), this one goes undecoded, for it to decode itself: the work shifts to whichever
        // thread has time, and neither waits for the other.
        const short = sent - Atomics.load(control, TAKEN) <= 1;
        writer.add(line, short ? null : engine.decodeLine(line, init.file, 0, ascii, at));
        if (writer.count >= batchLines) {
          send();
          batchLines = BATCH_LINES;
        }
      },
      from,
    );
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

/** A reader thread, started early; the main thread asks it to take over (`poll`, `ready`, `run`). */
export class ReaderThread {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #control: Int32Array;
  readonly #file: string;
  /** The file, open for both threads (see ReaderInit.fd); closed by `close`. */
  readonly fd: number;
  #closed: Promise<void> | null = null;
  #state: 'starting' | 'ready' | 'unusable' = 'starting';
  #exited = false;

  constructor(file: string, context: ReaderInit['context']) {
    this.#file = file;
    this.fd = openSync(file, 'r');
    this.#control = new Int32Array(new SharedArrayBuffer(4 * 4));
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const entry = workerEntry();
    const init: ReaderInit = { role: 'replay-reader', file, fd: this.fd, context, control: this.#control.buffer as SharedArrayBuffer, port: port2 };
    try {
      this.#worker = new Worker(entry.url, { workerData: { ...entry.data, ...init }, transferList: [port2] });
    } catch (err) {
      closeSync(this.fd);
      throw err;
    }
    this.#worker.unref();
    this.#worker.on('error', () => {}); // its 'exit' follows
    this.#worker.on('exit', () => (this.#exited = true));
  }

  /**
   * Whether the thread is ready, with the decoders whose decoderSetKey is `key`: asked between
   * lines (synchronous, cheap when it is not). A thread that is ready with other decoders, or
   * failed, is stopped and never ready.
   */
  poll(key: string): boolean {
    if (this.#state !== 'starting') return this.#state === 'ready';
    const m = receiveMessageOnPort(this.#port);
    if (m === undefined) return false;
    const msg = m.message as ReaderMessage;
    if (msg.type === 'ready' && msg.key === key) {
      this.#state = 'ready';
      return true;
    }
    this.stop();
    return false;
  }

  /** Waits until the thread is ready (true) or of no use (false). */
  async ready(key: string): Promise<boolean> {
    while (this.#state === 'starting') {
      if (this.poll(key)) return true;
      if (this.#exited && !this.poll(key)) {
        this.stop();
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return this.#state === 'ready';
  }

  /**
   * Once ready: the thread reads the file from byte `from` (the start of a line) and `each` gets
   * every line from there, in order, with the event the thread decoded (null: to be processed
   * whole), rebuilt for `engine` (of `decoders`). Resolves at the end of the file; rejects when the
   * thread fails (the file could not be read).
   */
  run(engine: Engine, decoders: CompiledRuleset['decoders'], from: number, each: (line: string, ev: Event | null) => void): Promise<void> {
    if (this.#state !== 'ready') return Promise.reject(new Error('the replay reader thread is not ready'));
    const reader = new EventReader(engine, decoders, this.#file);
    let taken = 0;
    return new Promise<void>((resolve, reject) => {
      let finished = false;
      const finish = (err: Error | null): void => {
        if (finished) return;
        finished = true;
        this.stop();
        if (err !== null) reject(err);
        else resolve();
      };
      const onMessage = (m: ReaderMessage): void => {
        if (finished) return;
        switch (m.type) {
          case 'batch':
            try {
              reader.forEach(m, each);
            } catch (err) {
              return finish(err instanceof Error ? err : new Error(String(err)));
            }
            this.#port.postMessage({ ints: m.ints }, [m.ints.buffer as ArrayBuffer]);
            Atomics.store(this.#control, TAKEN, ++taken);
            Atomics.notify(this.#control, TAKEN);
            return;
          case 'done':
            return finish(null);
          case 'error': {
            const err = new Error(m.message) as Error & { code?: string };
            if (m.code !== undefined) err.code = m.code;
            return finish(err);
          }
          case 'ready':
            return;
        }
      };
      this.#port.on('message', onMessage);
      this.#worker.on('exit', (code) => {
        // Its last messages may not have been delivered yet (they go by a port of their own).
        for (let m = receiveMessageOnPort(this.#port); m !== undefined && !finished; m = receiveMessageOnPort(this.#port)) onMessage(m.message as ReaderMessage);
        finish(new Error(`the replay reader thread ended (status ${code}) before the end of the file`));
      });
      this.#port.postMessage({ start: from });
      Atomics.store(this.#control, GO, 1);
      Atomics.notify(this.#control, GO);
    });
  }

  /** Stops the thread (idempotent); `close` also closes the file once the thread has ended. */
  stop(): void {
    this.#state = 'unusable';
    Atomics.store(this.#control, STOP, 1);
    Atomics.notify(this.#control, TAKEN);
    Atomics.notify(this.#control, GO);
    this.#port.close();
    void this.#worker.terminate();
  }

  /** Stops the thread and, once it has ended, closes the file (idempotent). */
  close(): Promise<void> {
    this.stop();
    this.#closed ??= this.#worker.terminate().then(
      () => closeSync(this.fd),
      () => closeSync(this.fd),
    );
    return this.#closed;
  }
}
