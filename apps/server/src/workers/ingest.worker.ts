// The ingest thread (pipeline/ingest-thread.ts starts it): the engine, the alert inserts, and the
// sources that keep a position (files, journald), all as on the event loop before: a source's
// lines and its new position still commit in one transaction of this thread's own connection.
// The event loop sends the network receivers' lines and the journal uploads here and gets every
// committed batch back, in commit order, for its consumers (live feed, active response…).
import { PerformanceObserver } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Engine, type CompiledRuleset } from '@portcullis/engine';
import { compileRulesetCached } from '../config/ruleset-cache.js';
import { connectDatabase } from '../db/database.js';
import { WriteTurns, withWriteTurns } from '../db/write-turns.js';
import { StorageGuard } from '../db/storage-guard.js';
import { AlertsRepository } from '../modules/alerts/alerts.repository.js';
import { sqlCursorStore } from '../modules/sources/sources.repository.js';
import { SourcesService } from '../modules/sources/sources.service.js';
import { RetentionLoop, pruneNow } from '../plugins/retention.js';
import { restoreCorrelationState, saveCorrelationState } from '../pipeline/correlation-snapshot.js';
import { ALERTS_PER_MESSAGE, encodeAlerts, type FromIngest, type IngestInit, type JournalAnswer, type JournalItem, type MetricsSnapshot, type RulesetData, type ToIngest, type WireAlert } from '../pipeline/ingest-protocol.js';
import { PipelineMetrics } from '../pipeline/metrics.js';
import { Pipeline, type PersistedAlert } from '../pipeline/pipeline.js';
import { applyOverrides } from '../pipeline/rule-overrides.js';
import { cursorTaken, type Atomic, type CursorStore, type RawLine } from '../sources/index.js';

const port = parentPort;
if (!port) throw new Error('ingest.worker.ts runs in a worker thread only');
const post = (m: FromIngest): void => port.postMessage(m);
const { init } = workerData as { init: IngestInit };
const { config } = init;

/** How often the sources' states, the counters and the disk's health go to the event loop. */
const REPORT_MS = 500;
/** Pages (4 KiB) the WAL may hold before this connection checkpoints itself (plugins/checkpoints.ts). */
const SAFETY_NET_PAGES = 16_384;

const log = (level: 'info' | 'warn' | 'error') => (obj: object, msg: string): void => {
  const { err, ...rest } = obj as { err?: unknown };
  post({ type: 'log', level, obj: err instanceof Error ? { ...rest, err: { message: err.message, stack: err.stack } } : rest, msg });
};
const logger = { info: log('info'), warn: log('warn'), error: log('error') };

function compile(data: RulesetData): Engine {
  const { ruleset }: { ruleset: CompiledRuleset } = compileRulesetCached(data.files, { dialect: data.dialect });
  applyOverrides(ruleset, data.overrides);
  return new Engine(ruleset, data.engineOptions);
}

/** The engine the pipeline reads, swapped when the event loop's ruleset is (keeping correlation). */
const ruleset = { engine: compile(init.ruleset) };

// Main has opened and migrated the database; this thread only connects (see connectDatabase).
const db = connectDatabase(config.dbPath);
// Every write here waits while the event loop writes (it waits only for the transaction open here).
const turns = new WriteTurns(init.turns);
withWriteTurns(db, () => turns.take(), () => turns.give());
db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
const alerts = new AlertsRepository(db);
const metrics = new PipelineMetrics();
// This thread's garbage-collection pauses, for /metrics (a few entries a second at full speed).
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) metrics.gcSeconds += e.duration / 1000;
}).observe({ entryTypes: ['gc'] });
const storage = new StorageGuard(db, config.dataDir, { info: logger.info, error: logger.error });
storage.start();
storage.addRelief(() => pruneNow(alerts, config.retention.days, config.retention.maxAlerts));
const pipeline = new Pipeline(db, alerts, ruleset, metrics, { error: logger.error }, storage);
restoreCorrelationState(config.dataDir, ruleset.engine, logger);

pipeline.onPersisted((batch: readonly PersistedAlert[]) => {
  const out: WireAlert[] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const { id, record, result } = batch[i]!;
    const ev = result.event;
    out[i] = {
      id, record, rule: result.rule?.id ?? null, alertRule: result.alertRule?.id ?? null,
      srcip: ev.srcip ?? null, dstuser: ev.dstuser ?? null, filename: ev.filename ?? null,
    };
  }
  for (let i = 0; i < out.length; i += ALERTS_PER_MESSAGE) {
    post({ type: 'alerts', json: encodeAlerts(out.slice(i, i + ALERTS_PER_MESSAGE)), more: i + ALERTS_PER_MESSAGE < out.length });
  }
});

/** Lines per registered host in the open transaction; handed over once it commits. */
let hostLines = new Map<string, number>();
pipeline.countHostLines((host, n) => hostLines.set(host, (hostLines.get(host) ?? 0) + n));
const flushHostLines = (): void => {
  if (hostLines.size === 0) return;
  post({ type: 'hostLines', counts: [...hostLines], at: Date.now() });
  hostLines = new Map();
};

/** The pipeline's transaction, then the host counts it committed (none when it failed). */
const atomic: Atomic = (fn) => {
  if (db.inTransaction) return fn();
  try {
    pipeline.atomic(fn);
  } catch (err) {
    hostLines = new Map();
    throw err;
  }
  flushHostLines();
};

const retention = new RetentionLoop(alerts, config.retention, { debug: () => undefined, error: logger.error });
const sources = new SourcesService(config, db, { sink: pipeline.sink, atomic }, { info: logger.info, warn: logger.warn }, undefined, 'positioned');

function snapshot(): MetricsSnapshot {
  const h = (x: PipelineMetrics['dbWrite']) => ({ counts: [...x.counts], sum: x.sum, count: x.count });
  return {
    lines: metrics.lines, events: metrics.events, alerts: metrics.alerts, alertsByLevel: [...metrics.alertsByLevel],
    failedBatches: metrics.failedBatches, dbWrite: h(metrics.dbWrite), ingestLag: h(metrics.ingestLag), lastLagSeconds: metrics.lastLagSeconds,
    gcSeconds: metrics.gcSeconds,
  };
}
const report = () => ({ statuses: sources.statuses(), infos: sources.list() });

function journal(items: JournalItem[]): JournalAnswer {
  const answer: JournalAnswer = { stored: 0, duplicates: 0, dropped: [] };
  const stores = new Map<string, CursorStore>();
  const storeOf = (id: string): CursorStore => {
    let store = stores.get(id);
    if (!store) stores.set(id, (store = sqlCursorStore(db, id)));
    return store;
  };
  atomic(() => {
    const last = new Map<string, string>();
    const lines: RawLine[] = [];
    items.forEach((item, i) => {
      if (item.cursor !== null && item.store !== null) {
        if (cursorTaken(item.cursor, last.get(item.store) ?? storeOf(item.store).get())) {
          answer.duplicates++;
          return;
        }
        last.set(item.store, item.cursor);
      }
      if (item.line === null) answer.dropped.push(i);
      else lines.push(item.line);
    });
    if (lines.length > 0) pipeline.sink(lines);
    for (const [store, cursor] of last) storeOf(store).set(cursor);
    answer.stored = lines.length;
  });
  return answer;
}

let timer: NodeJS.Timeout | null = null;
let stopping = false;

const nack = (ack: number, err: unknown): void =>
  post({ type: 'nack', ack, error: { name: (err as Error).name ?? 'Error', message: (err as Error).message ?? String(err) } });

async function stop(): Promise<void> {
  stopping = true;
  if (timer) clearInterval(timer);
  await sources.stop();
  await retention.stop();
  try {
    const kept = saveCorrelationState(config.dataDir, ruleset.engine);
    logger.info(kept, `correlation state saved for the next start: ${kept.rules} rules, ${kept.events} events`);
  } catch (err) {
    logger.error({ err }, `correlation state not saved (the next start counts from zero): ${(err as Error).message}`);
  }
  db.close();
  post({ type: 'stopped' });
  port!.close();
}

port.on('message', (m: ToIngest) => {
  if (stopping) return;
  switch (m.type) {
    case 'lines': {
      try {
        const summary = pipeline.ingest(m.lines);
        flushHostLines();
        if (m.ack !== null) post({ type: 'ack', ack: m.ack, answer: summary, metrics: snapshot() });
      } catch (err) {
        hostLines = new Map();
        if (m.ack !== null) nack(m.ack, err);
        else logger.error({ err, lines: m.lines.length }, `${m.lines.length} received lines not stored: ${(err as Error).message}`);
      }
      post({ type: 'done', lines: m.lines.length, chars: m.chars });
      break;
    }
    case 'journal': {
      try {
        post({ type: 'ack', ack: m.ack, answer: journal(m.items), metrics: snapshot() });
      } catch (err) {
        nack(m.ack, err);
      }
      break;
    }
    case 'ruleset': {
      const previous = ruleset.engine;
      try {
        const next = compile(m.ruleset);
        next.adoptState(previous);
        ruleset.engine = next;
      } catch (err) {
        logger.error({ err }, `the ingest thread could not compile the new ruleset; it keeps the previous one: ${(err as Error).message}`);
      }
      break;
    }
    case 'stop':
      void stop();
      break;
  }
});

try {
  await sources.start();
} catch (err) {
  post({ type: 'failed', message: (err as Error).message });
}
retention.start();
post({ type: 'ready', sources: report(), metrics: snapshot(), storage: storage.health() });
timer = setInterval(() => post({ type: 'report', sources: report(), metrics: snapshot(), storage: storage.health() }), REPORT_MS);
