// Lines → engine → alerts → SQLite → consumers. The order is fixed here: persist, then publish
// (live feed), then respond (active response): consumers only ever see committed alerts.
import type { ProcessResult } from '@portcullis/engine';
import type { Atomic, LineSink, RawLine } from '../sources/index.js';
import type { Db } from '../db/database.js';
import type { AlertRecord, AlertsRepository } from '../modules/alerts/alerts.repository.js';
import { toAlertRecord } from './alert-record.js';
import type { PipelineMetrics } from './metrics.js';
import type { RulesetManager } from './ruleset-manager.js';

/** An alert once committed: its id, the stored record, and the engine result it came from. */
export interface PersistedAlert {
  id: number;
  record: AlertRecord;
  /** The engine's verdict (rule, alertRule, decoded event) for consumers that need the rule. */
  result: ProcessResult;
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

export interface IngestSummary {
  accepted: number;
  alerts: number;
}

export class Pipeline {
  readonly #db: Db;
  readonly #alerts: AlertsRepository;
  readonly #ruleset: RulesetManager;
  readonly #metrics: PipelineMetrics;
  readonly #log: PipelineLogger;
  readonly #consumers: AlertConsumer[] = [];
  /** Alerts inserted in the open transaction, published when it commits. */
  #pending: PersistedAlert[] = [];
  #oldestPending = Infinity;

  constructor(db: Db, alerts: AlertsRepository, ruleset: RulesetManager, metrics: PipelineMetrics, log: PipelineLogger) {
    this.#db = db;
    this.#alerts = alerts;
    this.#ruleset = ruleset;
    this.#metrics = metrics;
    this.#log = log;
  }

  /**
   * Registers a consumer of committed alerts; consumers run in registration order (the live
   * feed registers first, so publish comes before respond). Returns the unsubscribe function.
   */
  onPersisted(consumer: AlertConsumer): () => void {
    this.#consumers.push(consumer);
    return () => {
      const i = this.#consumers.indexOf(consumer);
      if (i >= 0) this.#consumers.splice(i, 1);
    };
  }

  /**
   * Runs `fn` in one SQLite transaction, then publishes what it inserted. Sources with a position
   * get this as their `atomic`, so their lines' alerts and their new position commit together.
   * Nested calls join the outer transaction.
   */
  readonly atomic: Atomic = (fn) => {
    if (this.#db.inTransaction) return fn();
    const started = performance.now();
    try {
      this.#db.transaction(fn)();
    } catch (err) {
      this.#pending = [];
      this.#oldestPending = Infinity;
      this.#metrics.failedBatches++;
      throw err;
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
    const engine = this.#ruleset.engine;
    let made = 0;
    for (const raw of lines) {
      this.#metrics.lines++;
      if (raw.receivedAt < this.#oldestPending) this.#oldestPending = raw.receivedAt;
      const seconds = Math.floor(raw.receivedAt / 1000);
      for (const result of engine.processLine(raw.line, raw.location, seconds)) {
        this.#metrics.events++;
        if (!result.alert || !(result.alertRule ?? result.rule)) continue;
        const record = toAlertRecord(result, raw.receivedAt);
        const id = this.#alerts.insert(record);
        this.#metrics.countAlert(record.level);
        this.#pending.push({ id, record, result });
        made++;
      }
    }
    return made;
  }

  #publish(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    for (const consumer of this.#consumers) {
      try {
        consumer(batch);
      } catch (err) {
        this.#log.error({ err }, 'an alert consumer failed');
      }
    }
  }
}
