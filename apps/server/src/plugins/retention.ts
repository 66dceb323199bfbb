// Background pruning of old alerts, by age and by row count, in small steps spread over time, so
// the event loop (which also serves /api/health, tails the logs and runs the release timers) is
// never held for more than a slice of ~20 ms; and at once when the data disk is full
// (db/storage-guard.ts). Once the cap is reached every new alert means an old one goes: checked
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

export default fp(
  async (app) => {
    const { days, maxAlerts, intervalMs } = app.config.retention;
    let timer: NodeJS.Timeout | null = null;
    let stopped = false;
    let running: Promise<void> | null = null;
    let countedAt = 0;
    // A full disk prunes what the settings allow before the pipeline is refused.
    app.storage.addRelief(() => pruneNow(app.alerts, days, maxAlerts));
    const run = (): void => {
      if (maxAlerts > 0 && Date.now() - countedAt >= RECOUNT_MS) {
        app.alerts.recount();
        countedAt = Date.now();
      }
      running ??= pruneAll(app.alerts, days, maxAlerts, () => stopped)
        .then((removed) => {
          if (removed > 0) app.log.debug({ removed }, `retention: pruned ${removed} alerts`);
        })
        .catch((err: unknown) => app.log.error({ err }, 'retention: pruning failed'))
        .finally(() => {
          running = null;
        });
    };
    app.addHook('onReady', async () => {
      run();
      timer = setInterval(run, intervalMs);
      timer.unref();
    });
    app.addHook('preClose', async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    });
  },
  { name: 'retention', dependencies: ['config', 'pipeline'] },
);
