// The message loop every worker of a WorkerPool runs: one job at a time, answered as
// `{id, ok: true, value}` or `{id, ok: false, message}`. The thread runs below the event loop's priority.
import { parentPort } from 'node:worker_threads';
import { runInBackground } from './background-priority.js';

export function serveJobs<J>(name: string, handle: (job: J) => unknown): void {
  const port = parentPort;
  if (!port) throw new Error(`${name} runs in a worker thread only`);
  runInBackground();
  port.on('message', (m: { id: number; job: J }) => {
    try {
      port.postMessage({ id: m.id, ok: true, value: handle(m.job) });
    } catch (err) {
      port.postMessage({ id: m.id, ok: false, message: err instanceof Error ? err.message : String(err) });
    }
  });
}
