// The database read pool: the reads that can scan many rows (the stats, the alert list with a
// filter no index answers at once) run here, on read-only connections of their own, never on the
// event loop that serves /api/health, tails the logs, takes syslog and runs the release timers.
// One thread (the machine may have two cores and the event loop needs one), 8 waiting, then 429;
// 10 s per job, then 503. The thread stays once started (a new one opens the database again).
import fp from 'fastify-plugin';
import { WorkerPool } from './worker-pool.js';

declare module 'fastify' {
  interface FastifyInstance {
    dbReaders: WorkerPool;
  }
}

export const READER_TIME_LIMIT_MS = 10_000;

export default fp(
  async (app) => {
    const pool = new WorkerPool({
      code: 'READ', label: 'database read', size: 1, queue: 8, timeLimitMs: READER_TIME_LIMIT_MS,
      memoryMb: 256, idleMs: 60_000, keepWarm: 1, script: new URL('./reader.worker.js', import.meta.url),
    });
    app.decorate('dbReaders', pool);
    app.addHook('onClose', async () => pool.close());
  },
  { name: 'db-readers', dependencies: ['config'] },
);
