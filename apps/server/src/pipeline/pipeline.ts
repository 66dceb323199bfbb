// Lines → engine → alerts → SQLite → consumers. The order is fixed here: persist, then publish
// (live feed), then respond (active response): consumers only ever see committed alerts.
import type { Engine, ProcessResult, Rule } from '@portcullis/engine';
import type { Atomic, LineSink, RawLine } from '../sources/index.js';
import type { Db } from '../db/database.js';
import { StorageFullError, isDiskFull, type StorageGuard } from '../db/storage-guard.js';
import type { AlertRecord, AlertsRepository } from '../modules/alerts/alerts.repository.js';
import { toAlertRecord } from './alert-record.js';
import type { PipelineMetrics } from './metrics.js';

/** What consumers read of the engine's result: the rules, and the fields a response may use. */
export interface AlertVerdict {
  rule: Rule | null;
  alertRule: Rule | null;
  event: { readonly srcip?: string | undefined; readonly dstuser?: string | undefined; readonly filename?: string | undefined };
}

/** An alert once committed: its id, the stored record, and the engine's verdict it came from. */
export interface PersistedAlert {
  id: number;
  record: AlertRecord;
  /** The engine's verdict (rule, alertRule, decoded fields) for consumers that need the rule. */
  result: AlertVerdict;
}

/** Where the pipeline finds the running engine (swapped on reload). */
export interface EngineHolder {
  readonly engine: Engine;
}

/** The consumers of committed batches, in registration order; one that throws is logged and skipped. */
export class AlertConsumers {
  readonly #list: AlertConsumer[] = [];
  readonly #log: PipelineLogger;

  constructor(log: PipelineLogger) {
    this.#log = log;
  }

  /** Registers a consumer; returns the unsubscribe function. */
  add(consumer: AlertConsumer): () => void {
    this.#list.push(consumer);
    return () => {
      const i = this.#list.indexOf(consumer);
      if (i >= 0) this.#list.splice(i, 1);
    };
  }

  publish(batch: readonly PersistedAlert[]): void {
    for (const consumer of this.#list) {
      try {
        consumer(batch);
      } catch (err) {
        this.#log.error({ err }, 'an alert consumer failed');
      }
    }
  }
}

/** The sink and transaction sources write through, and the consumers of what they commit. */
export interface AlertPipeline {
  readonly sink: LineSink;
  onPersisted(consumer: AlertConsumer): () => void;
}

/**
 * Receives each committed batch, in commit order, synchronously after the commit. Callers must
 * not throw (a throw is logged and the other consumers still run) and must not block: queue
 * slow work (scripts, network) and return.
 */
export type AlertConsumer = (alerts: readonly PersistedAlert[]) => void;

export interface PipelineLogger {
  error(obj: object, msg: string): void;
}

/**
 * A line of the open transaction: how many events it made, and where its alerts are in the
 * transaction's pending alerts (`first`, `count`). Nothing else of the engine's is held until the
 * commit: holding every line's Event kept them through the scavenges a batch spans (the pipeline
 * alone, 500k auth-log lines: scavenges 0.92 → 0.7 s), and holding even the alerting lines' Events,
 * or a copy of their alerts for a retry, doubled the ingest thread's GC (server bench, 500k lines:
 * 0.88–1.16 s before, 0.48–0.58 s without; /metrics portcullis_ingest_gc_seconds_total).
 */
interface Processed {
  line: string;
  events: number;
  first: number;
  count: number;
}

/**
 * A line of a failed commit with what the engine made of it that is stored: its events, and its
 * alerts as they were to be inserted (rows and verdicts, taken from the failed transaction's
 * pending alerts, so they cost nothing until a commit fails).
 */
interface Kept {
  line: string;
  events: number;
  alerts: readonly PersistedAlert[];
}

const NO_ALERTS: readonly PersistedAlert[] = Object.freeze([]);

/** What consumers read of a result, without the Event (which may then go once the line is processed). */
function verdictOf(r: ProcessResult): AlertVerdict {
  const ev = r.event;
  return { rule: r.rule, alertRule: r.alertRule, event: { srcip: ev.srcip, dstuser: ev.dstuser, filename: ev.filename } };
}

/** The result makes a stored alert. */
const stored = (r: ProcessResult): boolean => r.alert && (r.alertRule ?? r.rule) !== null;

/** At most this many lines' results are kept for a retry; beyond, a retry is counted again. */
const RETRY_MAX = 20_000;

/** Counts an authenticated host's lines, inside the transaction that stores them. */
export type HostLinesCounter = (host: string, lines: number, now: number) => void;

export interface IngestSummary {
  accepted: number;
  alerts: number;
}

export class Pipeline implements AlertPipeline {
  readonly #db: Db;
  readonly #alerts: AlertsRepository;
  readonly #ruleset: EngineHolder;
  readonly #metrics: PipelineMetrics;
  readonly #log: PipelineLogger;
  readonly #consumers: AlertConsumers;
  /** Alerts of the open transaction (ids set once inserted), published when it commits. */
  #pending: PersistedAlert[] = [];
  #oldestPending = Infinity;
  readonly #storage: StorageGuard | null;
  /** Lines processed in the open transaction, per location. */
  #processed = new Map<string, Processed[]>();
  /**
   * Lines whose commit failed, with their alerts: a source that retries them (a file keeps its
   * position) gets these again instead of the engine counting the lines twice.
   */
  #retry = new Map<string, Kept[]>();
  #retryCount = 0;
  #hostLines: HostLinesCounter | null = null;

  constructor(db: Db, alerts: AlertsRepository, ruleset: EngineHolder, metrics: PipelineMetrics, log: PipelineLogger, storage: StorageGuard | null = null) {
    this.#storage = storage;
    this.#db = db;
    this.#alerts = alerts;
    this.#ruleset = ruleset;
    this.#metrics = metrics;
    this.#log = log;
    this.#consumers = new AlertConsumers(log);
  }

  /**
   * Registers a consumer of committed alerts; consumers run in registration order (the live
   * feed registers first, so publish comes before respond). Returns the unsubscribe function.
   */
  onPersisted(consumer: AlertConsumer): () => void {
    return this.#consumers.add(consumer);
  }

  /**
   * Runs `fn` in one SQLite transaction, then publishes what it inserted. Sources with a position
   * get this as their `atomic`, so their lines' alerts and their new position commit together.
   * Nested calls join the outer transaction.
   */
  readonly atomic: Atomic = (fn) => {
    if (this.#db.inTransaction) return fn();
    const storage = this.#storage;
    // The disk is full: refuse before the engine sees the lines, so nothing is counted, nothing is
    // lost (a file source keeps its position) and the reserve stays for releases.
    if (storage?.full && !storage.recovered()) throw new StorageFullError(storage.health().error ?? 'disk full');
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        this.#commit(fn);
        break;
      } catch (err) {
        if (!storage || !isDiskFull(err)) throw err;
        storage.diskFull(err, 'storing alerts');
        // Pruning may have made room: one more try; else refused like the lines that come after.
        if (attempt > 1 || !storage.recovered()) throw new StorageFullError(storage.health().error ?? 'disk full');
      }
    }
    const now = Date.now();
    this.#metrics.dbWrite.observe((performance.now() - started) / 1000);
    if (this.#oldestPending !== Infinity) {
      this.#metrics.lastLagSeconds = Math.max(0, now - this.#oldestPending) / 1000;
      this.#metrics.ingestLag.observe(this.#metrics.lastLagSeconds);
    }
    this.#oldestPending = Infinity;
    this.#publish();
  };

  #commit(fn: () => void): void {
    try {
      this.#db.transaction(fn)();
    } catch (err) {
      const failed = this.#pending;
      this.#pending = [];
      this.#oldestPending = Infinity;
      this.#metrics.failedBatches++;
      this.#keepForRetry(failed);
      throw err;
    }
    this.#processed.clear();
  }

  /** Moves the failed transaction's processed lines, with their alerts from `failed`, to the retry cache (bounded). */
  #keepForRetry(failed: readonly PersistedAlert[]): void {
    for (const [location, list] of this.#processed) {
      const lines = list.map((p): Kept => ({ line: p.line, events: p.events, alerts: p.count === 0 ? NO_ALERTS : failed.slice(p.first, p.first + p.count) }));
      const kept = this.#retry.get(location);
      if (kept) kept.push(...lines);
      else this.#retry.set(location, lines);
      this.#retryCount += lines.length;
    }
    this.#processed = new Map();
    if (this.#retryCount > RETRY_MAX) {
      this.#retry.clear();
      this.#retryCount = 0;
    }
  }

  /** The kept line of a failed commit when `raw` is the next line there, else undefined. */
  #kept(raw: RawLine): Kept | undefined {
    const kept = this.#retry.get(raw.location);
    if (!kept) return undefined;
    if (kept[0]!.line !== raw.line) {
      // Not a retry of those lines (a source without a position moved on): forget them.
      this.#retryCount -= kept.length;
      this.#retry.delete(raw.location);
      return undefined;
    }
    this.#retryCount--;
    if (kept.length === 1) this.#retry.delete(raw.location);
    return kept.shift()!;
  }

  /**
   * Runs a line through the engine (or takes what a failed commit kept of it) and adds its alerts
   * to the open transaction's pending alerts, id 0 until inserted.
   */
  #line(raw: RawLine, seconds: number): void {
    const pending = this.#pending;
    const first = pending.length;
    let events: number;
    const kept = this.#kept(raw);
    if (kept) {
      events = kept.events;
      // As stored the first time (its reception time too): the retry is of the same line.
      for (const a of kept.alerts) pending.push({ id: 0, record: a.record, result: a.result });
    } else {
      const results = this.#ruleset.engine.processLine(raw.line, raw.location, seconds);
      events = results.length;
      for (const r of results) if (stored(r)) pending.push({ id: 0, record: toAlertRecord(r, raw.receivedAt, raw.host ?? null), result: verdictOf(r) });
    }
    const entry: Processed = { line: raw.line, events, first, count: pending.length - first };
    const done = this.#processed.get(raw.location);
    if (done) done.push(entry);
    else this.#processed.set(raw.location, [entry]);
    this.#metrics.events += events;
  }

  /**
   * Sets who counts each registered host's lines (lines per minute, last line on the Hosts page):
   * called once per host and batch, inside the batch's transaction, for lines that carry `host`.
   */
  countHostLines(counter: HostLinesCounter): void {
    this.#hostLines = counter;
  }

  /** The sink every source writes to: synchronous, persisted when it returns. */
  readonly sink: LineSink = (lines) => {
    this.atomic(() => this.#process(lines));
  };

  /** Processes lines in their own transaction and says how many alerts they made. */
  ingest(lines: RawLine[]): IngestSummary {
    let alerts = 0;
    this.atomic(() => {
      alerts = this.#process(lines);
    });
    return { accepted: lines.length, alerts };
  }

  #process(lines: RawLine[]): number {
    const start = this.#pending.length;
    let perHost: Map<string, number> | null = null;
    for (const raw of lines) {
      this.#metrics.lines++;
      if (raw.host !== undefined) {
        perHost ??= new Map();
        perHost.set(raw.host, (perHost.get(raw.host) ?? 0) + 1);
      }
      if (raw.receivedAt < this.#oldestPending) this.#oldestPending = raw.receivedAt;
      this.#line(raw, Math.floor(raw.receivedAt / 1000));
    }
    const pending = this.#pending;
    const records: AlertRecord[] = new Array(pending.length - start);
    for (let i = start; i < pending.length; i++) {
      records[i - start] = pending[i]!.record;
      this.#metrics.countAlert(pending[i]!.record.level);
    }
    const ids = this.#alerts.insertAll(records);
    for (let i = 0; i < ids.length; i++) pending[start + i]!.id = ids[i]!;
    if (perHost && this.#hostLines) {
      const now = Date.now();
      for (const [host, n] of perHost) this.#hostLines(host, n, now);
    }
    return ids.length;
  }

  #publish(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#consumers.publish(batch);
  }
}
