// Background pruning of old alerts, by age and by row count, in batches with the event loop given
// back between them, so writers and readers are never held up for long; and at once when the data
// disk is full (db/storage-guard.ts).
import { setImmediate as yieldLoop } from 'node:timers/promises';
import fp from 'fastify-plugin';
import type { AlertsRepository } from '../modules/alerts/alerts.repository.js';

const BATCH = 5000;

/**
 * One batch of pruning: alerts older than `days`, else the oldest beyond `maxAlerts` (0 turns
 * either off). Returns how many went; fewer than a batch means nothing is left to prune.
 */
export function pruneBatch(alerts: AlertsRepository, days: number, maxAlerts: number, now = Date.now(), batch = BATCH): number {
  const old = days > 0 ? alerts.pruneOlderThan(now - days * 86_400_000, batch) : 0;
  if (old === batch) return old;
  return old + (maxAlerts > 0 ? alerts.pruneBeyond(maxAlerts, batch - old) : 0);
}

/** Prunes until nothing is left to prune, at once (the disk is full and a writer waits); returns how many went. */
export function pruneNow(alerts: AlertsRepository, days: number, maxAlerts: number): number {
  let removed = 0;
  for (let n = BATCH; n === BATCH; removed += n) n = pruneBatch(alerts, days, maxAlerts);
  return removed;
}

/** Prunes until nothing is left to prune, yielding between batches; returns how many went. */
export async function pruneAll(alerts: AlertsRepository, days: number, maxAlerts: number, isStopped: () => boolean = () => false): Promise<number> {
  let removed = 0;
  for (;;) {
    const n = pruneBatch(alerts, days, maxAlerts);
    removed += n;
    if (n < BATCH || isStopped()) return removed;
    await yieldLoop();
  }
}

export default fp(
  async (app) => {
    const { days, maxAlerts, intervalMs } = app.config.retention;
    let timer: NodeJS.Timeout | null = null;
    let stopped = false;
    let running: Promise<void> | null = null;
    // A full disk prunes what the settings allow before the pipeline is refused.
    app.storage.addRelief(() => pruneNow(app.alerts, days, maxAlerts));
    const run = (): void => {
      running ??= pruneAll(app.alerts, days, maxAlerts, () => stopped)
        .then((removed) => {
          if (removed > 0) app.log.info({ removed }, `retention: pruned ${removed} alerts`);
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
