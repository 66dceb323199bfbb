// Background pruning of old alerts, by age and by row count, in small batches so writers are
// never held up for long.
import fp from 'fastify-plugin';
import type { AlertsRepository } from '../modules/alerts/alerts.repository.js';

const BATCH = 5000;
/** At most this many batches per run; the rest waits for the next run. */
const MAX_BATCHES = 40;

/** One pruning pass: alerts older than `days`, then the oldest beyond `maxAlerts` (0 = no limit). */
export function pruneOnce(alerts: AlertsRepository, days: number, maxAlerts: number, now = Date.now()): number {
  let removed = 0;
  let batches = 0;
  for (let n = BATCH; n === BATCH && days > 0 && batches++ < MAX_BATCHES; ) removed += n = alerts.pruneOlderThan(now - days * 86_400_000, BATCH);
  for (let n = BATCH; n === BATCH && maxAlerts > 0 && batches++ < MAX_BATCHES; ) removed += n = alerts.pruneBeyond(maxAlerts, BATCH);
  return removed;
}

export default fp(
  async (app) => {
    const { days, maxAlerts, intervalMs } = app.config.retention;
    let timer: NodeJS.Timeout | null = null;
    const run = (): void => {
      try {
        const removed = pruneOnce(app.alerts, days, maxAlerts);
        if (removed > 0) app.log.info({ removed }, `retention: pruned ${removed} alerts`);
      } catch (err) {
        app.log.error({ err }, 'retention: pruning failed');
      }
    };
    app.addHook('onReady', async () => {
      run();
      timer = setInterval(run, intervalMs);
      timer.unref();
    });
    app.addHook('preClose', async () => {
      if (timer) clearInterval(timer);
    });
  },
  { name: 'retention', dependencies: ['config', 'pipeline'] },
);
