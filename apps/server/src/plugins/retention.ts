// Background pruning of old alerts, by age and by row count, in small steps spread over time, so
// the ingest thread that runs it (and also reads the files and stores their alerts) is never held
// for more than a slice of ~20 ms; and at once when the data disk is full (db/storage-guard.ts). Once the cap is reached every new alert means an old one goes: checked
// every few seconds, that is a few thousand rows in a handful of slices, not one burst a minute.
import { setTimeout as sleep } from 'node:timers/promises';
import fp from 'fastify-plugin';
import type { AlertsRepository } from '../modules/alerts/alerts.repository.js';

/** Rows per DELETE: ~3–5 ms at 1M rows with the alert indexes. */
const STEP = 500;
/** Event-loop time per slice, then a pause for everything else. */
const SLICE_MS = 20;
const PAUSE_MS = 25;
/** The kept count is re-read from the table this often (a rolled-back insert leaves it high). */
const RECOUNT_MS = 60_000;

/**
 * One batch of pruning: alerts older than `days`, else the oldest beyond `maxAlerts` (0 turns
 * either off). Returns how many went; fewer than a batch means nothing is left to prune.
 */
export function pruneBatch(alerts: AlertsRepository, days: number, maxAlerts: number, now = Date.now(), batch = STEP): number {
  const old = days > 0 ? alerts.pruneOlderThan(now - days * 86_400_000, batch) : 0;
  if (old === batch) return old;
  return old + (maxAlerts > 0 ? alerts.pruneBeyond(maxAlerts, batch - old) : 0);
}

/** Prunes until nothing is left to prune, at once (the disk is full and a writer waits); returns how many went. */
export function pruneNow(alerts: AlertsRepository, days: number, maxAlerts: number): number {
  const batch = 5000;
  let removed = 0;
  for (let n = batch; n === batch; removed += n) n = pruneBatch(alerts, days, maxAlerts, Date.now(), batch);
  return removed;
}

/** Prunes until nothing is left to prune, in slices of the event loop's time; returns how many went. */
export async function pruneAll(alerts: AlertsRepository, days: number, maxAlerts: number, isStopped: () => boolean = () => false): Promise<number> {
  let removed = 0;
  for (;;) {
    const start = performance.now();
    let n: number;
    do {
      n = pruneBatch(alerts, days, maxAlerts);
      removed += n;
    } while (n === STEP && performance.now() - start < SLICE_MS);
    if (n < STEP || isStopped()) return removed;
    await sleep(PAUSE_MS);
  }
}

export interface RetentionLogger {
  debug(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * The periodic pruning, run by the ingest thread (the writer of alerts: its prunes and its inserts
 * never wait for each other, and the event loop never waits for a prune).
 */
export class RetentionLoop {
  readonly #alerts: AlertsRepository;
  readonly #o: { days: number; maxAlerts: number; intervalMs: number };
  readonly #log: RetentionLogger;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #running: Promise<void> | null = null;
  #countedAt = 0;

  constructor(alerts: AlertsRepository, options: { days: number; maxAlerts: number; intervalMs: number }, log: RetentionLogger) {
    this.#alerts = alerts;
    this.#o = options;
    this.#log = log;
  }

  start(): void {
    this.#run();
    this.#timer = setInterval(() => this.#run(), this.#o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }

  #run(): void {
    const { days, maxAlerts } = this.#o;
    if (maxAlerts > 0 && Date.now() - this.#countedAt >= RECOUNT_MS) {
      this.#alerts.recount();
      this.#countedAt = Date.now();
    }
    this.#running ??= pruneAll(this.#alerts, days, maxAlerts, () => this.#stopped)
      .then((removed) => {
        if (removed > 0) this.#log.debug({ removed }, `retention: pruned ${removed} alerts`);
      })
      .catch((err: unknown) => this.#log.error({ err }, 'retention: pruning failed'))
      .finally(() => {
        this.#running = null;
      });
  }
}

// On the event loop only the disk-full relief: the periodic pruning runs in the ingest thread
// (workers/ingest.worker.ts, RetentionLoop above).
export default fp(
  async (app) => {
    const { days, maxAlerts } = app.config.retention;
    // A full disk prunes what the settings allow before the pipeline is refused.
    app.storage.addRelief(() => pruneNow(app.alerts, days, maxAlerts));
  },
  { name: 'retention', dependencies: ['config', 'pipeline'] },
);
