// The worker pools for ruleset work that must not run on the event loop: log tests (a viewer's
// paste on the live ruleset, an admin's draft) and rule file validation before a save. Limits per
// job: 10 s of wall time and 256 MB of heap; at most 2 log tests at once (4 waiting) and one
// validation (2 waiting), then 429. Idle threads end after a minute, but one log test thread,
// once started, stays (it keeps the live ruleset compiled: a small test answers in milliseconds).
import { availableParallelism } from 'node:os';
import fp from 'fastify-plugin';
import { WorkerPool } from './worker-pool.js';

export interface RulesetWorkers {
  logtest: WorkerPool;
  validation: WorkerPool;
}

declare module 'fastify' {
  interface FastifyInstance {
    rulesetWorkers: RulesetWorkers;
  }
}

const TIME_LIMIT_MS = 10_000;
const MEMORY_MB = 256;
const IDLE_MS = 60_000;

export default fp(
  async (app) => {
    const workers: RulesetWorkers = {
      logtest: new WorkerPool({ code: 'LOGTEST', label: 'log test', size: Math.min(2, availableParallelism()), queue: 4, timeLimitMs: TIME_LIMIT_MS, memoryMb: MEMORY_MB, idleMs: IDLE_MS, keepWarm: 1 }),
      validation: new WorkerPool({ code: 'VALIDATION', label: 'ruleset validation', size: 1, queue: 2, timeLimitMs: TIME_LIMIT_MS, memoryMb: MEMORY_MB, idleMs: IDLE_MS }),
    };
    app.decorate('rulesetWorkers', workers);
    app.addHook('onClose', async () => {
      await Promise.all([workers.logtest.close(), workers.validation.close()]);
    });
  },
  { name: 'ruleset-workers' },
);
