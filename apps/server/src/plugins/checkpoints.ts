// WAL checkpoints off the event loop: a thread of its own checkpoints every second (PASSIVE: it
// never blocks the writer or the readers), and the event loop's connection autocheckpoints only
// far later, as a safety net should that thread stop. Measured in the soak (bench/soak.mjs): with
// the autocheckpoint on the writer, /api/health p99 rose from ~50 ms to several hundred once the
// retention cap made every minute a stream of scattered page writes.
import fp from 'fastify-plugin';
import type { CheckpointAnswer, CheckpointJob } from '../workers/checkpoint.worker.js';
import { WorkerPool } from '../workers/worker-pool.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** What the checkpoint thread did last (null before its first run, or for an in-memory database). */
    checkpoints: { runs: number; failures: number; last: CheckpointAnswer | null };
  }
}

const EVERY_MS = 1000;
/** Pages (4 KiB) the WAL may hold before the writer checkpoints itself: 64 MiB. */
const SAFETY_NET_PAGES = 16_384;

export default fp(
  async (app) => {
    const state = { runs: 0, failures: 0, last: null as CheckpointAnswer | null };
    app.decorate('checkpoints', state);
    const file = app.config.dbPath;
    if (file === ':memory:') return;
    const pool = new WorkerPool({
      code: 'CHECKPOINT', label: 'WAL checkpoint', size: 1, queue: 0, timeLimitMs: 60_000,
      memoryMb: 64, idleMs: 3_600_000, keepWarm: 1, script: new URL('../workers/checkpoint.worker.js', import.meta.url),
    });
    let timer: NodeJS.Timeout | null = null;
    let running = false;
    let failures = 0;
    const tick = (): void => {
      if (running) return;
      running = true;
      pool.run<CheckpointAnswer>({ db: file } satisfies CheckpointJob)
        .then((answer) => {
          failures = 0;
          state.runs++;
          state.last = answer;
        })
        .catch((err: unknown) => {
          state.failures++;
          // The writer's own autocheckpoint still bounds the WAL; say so once, not every second.
          if (failures++ === 0) app.log.warn({ err }, 'the WAL checkpoint thread failed; the writer checkpoints itself meanwhile');
        })
        .finally(() => {
          running = false;
        });
    };
    app.addHook('onReady', async () => {
      app.db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
      timer = setInterval(tick, EVERY_MS);
      timer.unref();
    });
    app.addHook('preClose', async () => {
      if (timer) clearInterval(timer);
      await pool.close();
    });
  },
  { name: 'checkpoints', dependencies: ['config', 'db'] },
);
