// The event loop's side of the ingest thread (workers/ingest.worker.ts): the engine, the alert
// inserts and the sources that keep a position run there, so a flood of lines costs the API, the
// live feed and the release timers nothing but the committed alerts coming back. Consumers
// registered here see every committed batch in commit order, as with the in-thread Pipeline.
import { Worker } from 'node:worker_threads';
import type { Rule } from '@portcullis/engine';
import { StorageFullError, type DatabaseHealth } from '../db/storage-guard.js';
import type { WriteTurns } from '../db/write-turns.js';
import type { LineSink, RawLine } from '../sources/index.js';
import { WorkerBusyError, entryOf } from '../workers/worker-pool.js';
import { decodeAlerts, type AckAnswer, type FromIngest, type IngestInit, type JournalAnswer, type JournalItem, type MetricsSnapshot, type RulesetData, type SourcesReport, type ToIngest, type WireAlert } from './ingest-protocol.js';
import type { PipelineMetrics } from './metrics.js';
import { AlertConsumers, type AlertConsumer, type AlertPipeline, type IngestSummary, type PersistedAlert } from './pipeline.js';

export interface IngestThreadLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface IngestThreadDeps {
  /** The running ruleset's rules by id (the event loop's compile of the same files). */
  rules: () => ReadonlyMap<number, Rule>;
  metrics: PipelineMetrics;
  log: IngestThreadLogger;
  /** Given back when the thread ends, whatever it held. */
  turns: WriteTurns;
  /** Waits before starting an ended thread again (tests shorten them; RESTART by default). */
  restart?: { firstMs: number; maxMs: number };
}

/**
 * Lines (and characters: a syslog message may be 64 KiB) handed over and not yet processed beyond
 * which receivers are turned away (counted there) and /api/ingest answers 429.
 */
const MAX_QUEUED = 200_000;
const MAX_QUEUED_CHARS = 64 * 1024 * 1024;
/**
 * A thread that ended unexpectedly is started again after firstMs. One that ended before it was
 * ready (it fails at every start) waits twice as long each time, up to maxMs, instead of being
 * restarted and logged every second; a thread that had run waits firstMs again, so no line can buy
 * a longer pause in detection by ending a running thread.
 */
const RESTART = { firstMs: 1000, maxMs: 60_000 };

interface Waiting {
  resolve: (answer: AckAnswer) => void;
  reject: (err: Error) => void;
}

export class IngestThread implements AlertPipeline {
  #init: IngestInit;
  readonly #d: IngestThreadDeps;
  readonly #consumers: AlertConsumers;
  readonly #hostLines: Array<(host: string, n: number, at: number) => void> = [];
  #worker: Worker | null = null;
  /** Messages sent before the thread was started (none once it runs). */
  #early: ToIngest[] = [];
  #ready: Promise<void> | null = null;
  #stopped: Promise<void> | null = null;
  /** The pieces of a committed batch received so far (see the 'alerts' message). */
  #pieces: WireAlert[] = [];
  #onStopped: () => void = () => undefined;
  #closing = false;
  #sources: SourcesReport | null = null;
  #storage: DatabaseHealth = { ok: true, error: null };
  #queued = 0;
  #queuedChars = 0;
  #nextAck = 1;
  #restartMs: number;
  /** The running thread said it was ready. */
  #wasReady = false;
  readonly #waiting = new Map<number, Waiting>();

  constructor(init: IngestInit, deps: IngestThreadDeps) {
    this.#init = init;
    this.#d = deps;
    this.#consumers = new AlertConsumers(deps.log);
    this.#restartMs = (deps.restart ?? RESTART).firstMs;
  }

  onPersisted(consumer: AlertConsumer): () => void {
    return this.#consumers.add(consumer);
  }

  /** Called with each registered host's lines once they are committed. */
  onHostLines(fn: (host: string, n: number, at: number) => void): void {
    this.#hostLines.push(fn);
  }

  /**
   * Starts the thread (its sources start with it) and resolves once they run. Call when every
   * consumer is registered: the first committed alerts may come back at once.
   */
  start(): Promise<void> {
    this.#ready ??= this.#spawn();
    return this.#ready;
  }

  #spawn(): Promise<void> {
    const { url, workerData } = entryOf(new URL('../workers/ingest.worker.js', import.meta.url));
    const w = new Worker(url, { workerData: { ...(workerData as object | null), init: this.#init } });
    this.#worker = w;
    this.#queued = 0;
    this.#queuedChars = 0;
    let ready: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (ready = resolve));
    w.on('message', (m: FromIngest) => {
      if (m.type === 'ready') {
        this.#wasReady = true;
        ready();
      }
      this.#receive(m);
    });
    w.on('error', (err) => this.#d.log.error({ err }, `the ingest thread failed: ${err.message}`));
    w.on('exit', (code) => {
      this.#worker = null;
      this.#d.turns.reset();
      // A batch the thread had begun to hand over is committed: its consumers get what came.
      if (this.#pieces.length > 0) this.#publish(this.#pieces.splice(0));
      ready();
      this.#failWaiting(new Error('the ingest thread stopped before storing these lines'));
      if (this.#closing) return;
      const policy = this.#d.restart ?? RESTART;
      if (this.#wasReady) this.#restartMs = policy.firstMs;
      this.#wasReady = false;
      const wait = this.#restartMs;
      this.#restartMs = Math.min(policy.maxMs, wait * 2);
      this.#d.log.error({ code, restartInMs: wait }, `the ingest thread ended unexpectedly (exit code ${code}); starting it again in ${wait / 1000} s`);
      setTimeout(() => {
        if (!this.#closing) this.#ready = this.#spawn();
      }, wait).unref();
    });
    for (const m of this.#early.splice(0)) w.postMessage(m);
    return started;
  }

  #receive(m: FromIngest): void {
    switch (m.type) {
      case 'alerts':
        for (const a of decodeAlerts(m.json)) this.#pieces.push(a);
        if (!m.more) this.#publish(this.#pieces.splice(0));
        break;
      case 'hostLines':
        for (const [host, n] of m.counts) for (const fn of this.#hostLines) fn(host, n, m.at);
        break;
      case 'ready':
      case 'report':
        this.#sources = m.sources;
        this.#storage = m.storage;
        this.#metrics(m.metrics);
        break;
      case 'done':
        this.#queued = Math.max(0, this.#queued - m.lines);
        this.#queuedChars = Math.max(0, this.#queuedChars - m.chars);
        break;
      case 'ack': {
        this.#metrics(m.metrics);
        const w = this.#waiting.get(m.ack);
        this.#waiting.delete(m.ack);
        w?.resolve(m.answer);
        break;
      }
      case 'nack': {
        const w = this.#waiting.get(m.ack);
        this.#waiting.delete(m.ack);
        w?.reject(m.error.name === 'StorageFullError' ? new StorageFullError(m.error.message) : new Error(m.error.message));
        break;
      }
      case 'log':
        this.#d.log[m.level](m.obj, m.msg);
        break;
      case 'failed':
        this.#d.log.error({}, `the ingest thread's sources did not start: ${m.message}`);
        break;
      case 'stopped':
        this.#onStopped();
        break;
    }
  }

  #publish(wire: WireAlert[]): void {
    const rules = this.#d.rules();
    const batch: PersistedAlert[] = wire.map((a) => ({
      id: a.id,
      record: a.record,
      result: {
        rule: a.rule === null ? null : rules.get(a.rule) ?? null,
        alertRule: a.alertRule === null ? null : rules.get(a.alertRule) ?? null,
        event: { srcip: a.srcip ?? undefined, dstuser: a.dstuser ?? undefined, filename: a.filename ?? undefined },
      },
    }));
    this.#consumers.publish(batch);
  }

  #metrics(s: MetricsSnapshot): void {
    const m = this.#d.metrics;
    m.lines = s.lines;
    m.events = s.events;
    m.alerts = s.alerts;
    m.alertsByLevel.clear();
    for (const [level, n] of s.alertsByLevel) m.alertsByLevel.set(level, n);
    m.failedBatches = s.failedBatches;
    for (const [h, d] of [[m.dbWrite, s.dbWrite], [m.ingestLag, s.ingestLag]] as const) {
      h.counts.splice(0, h.counts.length, ...d.counts);
      h.sum = d.sum;
      h.count = d.count;
    }
    m.lastLagSeconds = s.lastLagSeconds;
    m.gcSeconds = s.gcSeconds;
  }

  #send(m: ToIngest): void {
    if (this.#worker) this.#worker.postMessage(m);
    else this.#early.push(m);
  }

  #ask<T extends AckAnswer>(make: (ack: number) => ToIngest): Promise<T> {
    if (this.#closing) return Promise.reject(new Error('the server is shutting down'));
    const ack = this.#nextAck++;
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(ack, { resolve: resolve as (a: AckAnswer) => void, reject });
      this.#send(make(ack));
    });
  }

  #failWaiting(err: Error): void {
    for (const w of this.#waiting.values()) w.reject(err);
    this.#waiting.clear();
  }

  /**
   * The network receivers' sink: the lines go to the thread and are stored there. Throws (the
   * receiver counts the lines as dropped) while the thread is that far behind or shutting down.
   */
  readonly sink: LineSink = (lines) => {
    if (this.#closing) throw new Error('the server is shutting down');
    if (this.#behind()) throw new Error(`the ingest thread is ${this.#queued} lines behind`);
    this.#send(this.#handOver(lines, null));
  };

  /**
   * Stores lines in one transaction of the thread; resolves once committed (their alerts
   * published). Refused with 429 and Retry-After while the thread is far behind.
   */
  ingest(lines: RawLine[]): Promise<IngestSummary> {
    if (this.#behind()) return Promise.reject(new WorkerBusyError('INGEST_BUSY', `the ingest thread is ${this.#queued} lines behind; send again later`, 1));
    return this.#ask<IngestSummary>((ack) => this.#handOver(lines, ack));
  }

  /** Stores journal-upload entries with their cursors in one transaction (resends skipped). */
  journal(items: JournalItem[]): Promise<JournalAnswer> {
    return this.#ask<JournalAnswer>((ack) => ({ type: 'journal', items, ack }));
  }

  /** The running ruleset changed: the thread compiles the same inputs and keeps correlation state. */
  swapRuleset(ruleset: RulesetData): void {
    this.#init = { ...this.#init, ruleset };
    // A thread not running yet (or being started again) starts from the new init.
    this.#worker?.postMessage({ type: 'ruleset', ruleset } satisfies ToIngest);
  }

  #behind(): boolean {
    return this.#queued > MAX_QUEUED || this.#queuedChars > MAX_QUEUED_CHARS;
  }

  /** The message that hands `lines` over, counted as in flight until the thread says done. */
  #handOver(lines: RawLine[], ack: number | null): ToIngest {
    let chars = 0;
    for (const l of lines) chars += l.line.length;
    this.#queued += lines.length;
    this.#queuedChars += chars;
    return { type: 'lines', lines, chars, ack };
  }

  /** Lines handed over and not processed yet. */
  queued(): number {
    return this.#queued;
  }

  /** The thread's sources as it last reported them (null before it has). */
  sources(): SourcesReport | null {
    return this.#sources;
  }

  /** The data disk as the thread's writes last found it. */
  storageHealth(): DatabaseHealth {
    return this.#storage;
  }

  /** Stops the thread's sources, lets it store what it has, save the correlation state and close. */
  stop(): Promise<void> {
    this.#closing = true;
    this.#stopped ??= new Promise<void>((resolve) => {
      const w = this.#worker;
      if (!w) return resolve();
      // 'stopped' comes after the last batch's alerts (messages keep their order); exit, if it
      // ends first, means there is nothing more to wait for.
      this.#onStopped = resolve;
      w.once('exit', () => resolve());
      w.postMessage({ type: 'stop' } satisfies ToIngest);
    });
    return this.#stopped;
  }
}
