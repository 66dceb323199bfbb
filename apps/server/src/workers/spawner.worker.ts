// The spawner thread (spawner.ts): starts active-response scripts and reports their outcomes, many
// at once. Starting a process blocks the starting thread until the child has exec'd; here that
// is this thread, not the event loop serving the API, the tailers and the release timers. It keeps
// the process's priority: a block's latency matters.
import { parentPort } from 'node:worker_threads';
import { spawnRun, type SpawnJob } from '../modules/active-response/spawn-run.js';

const port = parentPort;
if (!port) throw new Error('spawner.worker.ts runs in a worker thread only');
port.on('message', (m: { id: number; job: SpawnJob }) => {
  spawnRun(m.job).then(
    (outcome) => port.postMessage({ id: m.id, outcome }),
    (err: unknown) => port.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
