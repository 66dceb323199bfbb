// A few worker threads that run CPU-bound jobs (someone's draft ruleset, a big paste) away from the
// event loop that serves the API, tails the logs and runs the release timers. Each job has a
// wall-time limit and each thread a heap limit; a job over either, or whose client went away, has
// its thread terminated (V8 stops it mid-regex). Beyond `size` running and `queue` waiting jobs the
// pool refuses at once (429 with Retry-After) instead of piling work up.
import { Worker } from 'node:worker_threads';
import { DomainError } from '../errors.js';

export interface WorkerPoolOptions {
  /** Error-code prefix and the name in messages: `LOGTEST` → LOGTEST_TIMEOUT, "log test". */
  code: string;
  label: string;
  /** Threads running jobs at once. */
  size: number;
  /** Jobs waiting for a thread; one more is refused with 429. */
  queue: number;
  /** Wall time a job may take from the moment a thread takes it, ms. */
  timeLimitMs: number;
  /** Old-generation heap of a thread, MB (worker_threads resourceLimits). */
  memoryMb: number;
  /** An idle thread is ended after this long, ms… */
  idleMs: number;
  /** …except this many (a warm thread answers a small job in milliseconds, a cold one in hundreds). */
  keepWarm?: number;
  /** The worker's entry (./ruleset.worker.js beside this file by default). */
  script?: URL;
}

/** A job over the pool's time or memory limit: 503, the limit named. */
export class WorkerLimitError extends DomainError {
  constructor(code: string, message: string) {
    super(code, message, 503);
  }
}

/** Every thread busy and the queue full. */
export class WorkerBusyError extends DomainError {
  constructor(code: string, message: string, retryAfterSeconds: number) {
    super(code, message, 429, { 'retry-after': String(retryAfterSeconds) });
  }
}

/** The client went away before the answer: nothing is sent, the job is dropped. */
export class JobAbortedError extends Error {}

export interface PoolStats {
  /** Live worker threads (busy or idle). */
  threads: number;
  /** Jobs running in a thread now. */
  running: number;
  queued: number;
  completed: number;
  timedOut: number;
  outOfMemory: number;
  aborted: number;
}

/** What a job is called in its errors: `STATS` → STATS_TIMEOUT, "stats request". */
export interface JobNames {
  code: string;
  label: string;
}

interface Task {
  job: unknown;
  names: JobNames;
  signal: AbortSignal | undefined;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onAbort: () => void;
}

interface Slot {
  worker: Worker | null;
  task: Task | null;
  jobId: number;
  timer: NodeJS.Timeout | null;
  idle: NodeJS.Timeout | null;
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  message?: string;
}

/**
 * Where the worker entry is. Built (dist/…/worker-pool.js) it is the sibling .js; run from the TS
 * sources (vitest), Node 20 cannot start a .ts file, so a small boot file registers a loader that
 * strips the types first (source-boot.mjs; development only, never reached from dist).
 */
export function entryOf(script: URL): { url: URL; workerData: unknown } {
  if (!import.meta.url.endsWith('.ts')) return { url: script, workerData: null };
  const ts = new URL(script.href.replace(/\.js$/, '.ts'));
  return { url: new URL('./source-boot.mjs', import.meta.url), workerData: { entry: ts.href } };
}

export class WorkerPool {
  readonly #o: WorkerPoolOptions;
  readonly #slots: Slot[];
  readonly #queue: Task[] = [];
  #nextId = 1;
  #closed = false;
  readonly #stats = { completed: 0, timedOut: 0, outOfMemory: 0, aborted: 0 };

  constructor(options: WorkerPoolOptions) {
    this.#o = options;
    this.#slots = Array.from({ length: Math.max(1, options.size) }, () => ({ worker: null, task: null, jobId: 0, timer: null, idle: null }));
  }

  get limits(): Pick<WorkerPoolOptions, 'size' | 'queue' | 'timeLimitMs' | 'memoryMb'> {
    const { size, queue, timeLimitMs, memoryMb } = this.#o;
    return { size, queue, timeLimitMs, memoryMb };
  }

  stats(): PoolStats {
    return {
      threads: this.#slots.filter((s) => s.worker !== null).length,
      running: this.#slots.filter((s) => s.task !== null).length,
      queued: this.#queue.length,
      ...this.#stats,
    };
  }

  /**
   * Runs `job` (structured-cloned to the thread) and resolves with the thread's answer. Rejects
   * with WorkerBusyError (429) when full, WorkerLimitError (503) over a limit, JobAbortedError
   * when `signal` aborts first. `names` name the job in those errors instead of the pool's
   * (a pool serving several kinds of request).
   */
  run<T>(job: unknown, signal?: AbortSignal, names: JobNames = this.#o): Promise<T> {
    if (this.#closed) return Promise.reject(new WorkerLimitError(`${names.code}_UNAVAILABLE`, 'the server is shutting down'));
    if (signal?.aborted) return Promise.reject(new JobAbortedError('the client went away'));
    const free = this.#slots.find((s) => s.task === null);
    if (!free && this.#queue.length >= this.#o.queue) {
      const { size, queue, timeLimitMs } = this.#o;
      const retry = Math.ceil(timeLimitMs / 1000);
      return Promise.reject(new WorkerBusyError(`${names.code}_BUSY`,
        `too many ${names.label}s at once (${size} running, ${queue} waiting); try again in ${retry} s`, retry));
    }
    return new Promise<T>((resolve, reject) => {
      const task: Task = { job, names: { code: names.code, label: names.label }, signal, resolve: resolve as (v: unknown) => void, reject, onAbort: () => this.#abort(task) };
      signal?.addEventListener('abort', task.onAbort, { once: true });
      if (free) this.#start(free, task);
      else this.#queue.push(task);
    });
  }

  /** Ends every thread; jobs still running or waiting are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#queue.splice(0)) this.#settle(t, new WorkerLimitError(`${t.names.code}_UNAVAILABLE`, 'the server is shutting down'));
    await Promise.all(this.#slots.map((s) => {
      if (s.task) this.#settle(s.task, new WorkerLimitError(`${s.task.names.code}_UNAVAILABLE`, 'the server is shutting down'));
      return this.#end(s);
    }));
  }

  #spawn(slot: Slot): Worker {
    const { url, workerData } = entryOf(this.#o.script ?? new URL('./ruleset.worker.js', import.meta.url));
    const w = new Worker(url, { workerData, resourceLimits: { maxOldGenerationSizeMb: this.#o.memoryMb } });
    w.unref();
    w.on('message', (m: Reply) => {
      if (slot.worker !== w || slot.task === null || m.id !== slot.jobId) return;
      const task = slot.task;
      this.#release(slot);
      this.#stats.completed++;
      if (m.ok) this.#settle(task, null, m.value);
      else this.#settle(task, new Error(`${task.names.label} failed in its worker: ${m.message ?? 'unknown error'}`));
      this.#next(slot);
    });
    w.on('error', (err: Error & { code?: string }) => {
      if (slot.worker !== w) return;
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (oom) this.#stats.outOfMemory++;
      const names = slot.task?.names ?? this.#o;
      this.#fail(slot, oom
        ? new WorkerLimitError(`${names.code}_MEMORY`, `the ${names.label} needed more than its ${this.#o.memoryMb} MB of memory and was stopped`)
        : new Error(`the ${names.label} worker failed: ${err.message}`));
    });
    w.on('exit', (code) => {
      if (slot.worker !== w) return;
      this.#fail(slot, new Error(`the ${(slot.task?.names ?? this.#o).label} worker exited with code ${code}`));
    });
    return w;
  }

  #start(slot: Slot, task: Task): void {
    if (slot.idle) clearTimeout(slot.idle);
    slot.idle = null;
    slot.worker ??= this.#spawn(slot);
    slot.task = task;
    slot.jobId = this.#nextId++;
    slot.timer = setTimeout(() => {
      this.#stats.timedOut++;
      this.#fail(slot, new WorkerLimitError(`${task.names.code}_TIMEOUT`, `the ${task.names.label} took longer than its limit of ${this.#o.timeLimitMs / 1000} s and was stopped`));
    }, this.#o.timeLimitMs);
    slot.worker.postMessage({ id: slot.jobId, job: task.job });
  }

  /** The slot's job is over: its timer and abort listener go. */
  #release(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.task = null;
  }

  #settle(task: Task, err: Error | null, value?: unknown): void {
    task.signal?.removeEventListener('abort', task.onAbort);
    if (err) task.reject(err);
    else task.resolve(value);
  }

  /** Ends the slot's thread (its job, if any, rejected with `err`) and moves on to the queue. */
  #fail(slot: Slot, err: Error): void {
    const task = slot.task;
    this.#release(slot);
    void this.#end(slot);
    if (task) this.#settle(task, err);
    this.#next(slot);
  }

  #abort(task: Task): void {
    this.#stats.aborted++;
    const queued = this.#queue.indexOf(task);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      this.#settle(task, new JobAbortedError('the client went away'));
      return;
    }
    const slot = this.#slots.find((s) => s.task === task);
    if (slot) this.#fail(slot, new JobAbortedError('the client went away'));
  }

  async #end(slot: Slot): Promise<void> {
    if (slot.idle) clearTimeout(slot.idle);
    slot.idle = null;
    const w = slot.worker;
    slot.worker = null;
    if (w) await w.terminate();
  }

  #next(slot: Slot): void {
    if (this.#closed) return;
    const task = this.#queue.shift();
    if (task) return this.#start(slot, task);
    if (!slot.worker) return;
    slot.idle = setTimeout(() => {
      slot.idle = null;
      if (this.stats().threads > (this.#o.keepWarm ?? 0)) void this.#end(slot);
    }, this.#o.idleMs);
    slot.idle.unref();
  }
}
