// Active-response scripts started from a thread of their own (spawner.worker.ts), many at once;
// the script runner hands it each run (ScriptRunner's `spawn`). Measured in the soak: starting a
// process held the event loop ~20 ms each time on a loaded two-core host (30 s of a 5-minute
// profile). A thread that stops is started again; the runs it had are reported as failed (their
// scripts may have finished: reconciliation checks the firewall).
import { Worker } from 'node:worker_threads';
import type { RunOutcome } from '../modules/active-response/ar-runs.repository.js';
import type { SpawnJob } from '../modules/active-response/spawn-run.js';
import { entryOf } from './worker-pool.js';

type Reply = { id: number; outcome: RunOutcome } | { id: number; error: string };

export class ThreadSpawner {
  #worker: Worker | null = null;
  #nextId = 1;
  #closed = false;
  readonly #pending = new Map<number, { started: number; resolve: (o: RunOutcome) => void }>();

  /** Runs the job in the spawner thread; never rejects (a failure is an outcome with `error`). */
  readonly run = (job: SpawnJob): Promise<RunOutcome> => {
    if (this.#closed) return Promise.resolve(failed(0, 'the server is shutting down'));
    const id = this.#nextId++;
    return new Promise<RunOutcome>((resolve) => {
      this.#pending.set(id, { started: performance.now(), resolve });
      this.#thread().postMessage({ id, job });
    });
  };

  async close(): Promise<void> {
    this.#closed = true;
    const w = this.#worker;
    this.#worker = null;
    if (w) await w.terminate();
    this.#failAll('the server is shutting down');
  }

  #thread(): Worker {
    if (this.#worker) return this.#worker;
    const { url, workerData } = entryOf(new URL('./spawner.worker.js', import.meta.url));
    const w = new Worker(url, { workerData });
    w.unref();
    w.on('message', (m: Reply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      p.resolve('outcome' in m ? m.outcome : failed(performance.now() - p.started, `the script could not be run: ${m.error}`));
    });
    const lost = (why: string): void => {
      if (this.#worker !== w) return;
      this.#worker = null;
      this.#failAll(why);
    };
    w.on('error', (err) => lost(`the script thread failed: ${err.message}`));
    w.on('exit', (code) => lost(`the script thread exited with code ${code}`));
    this.#worker = w;
    return w;
  }

  #failAll(why: string): void {
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id);
      p.resolve(failed(performance.now() - p.started, why));
    }
  }
}

function failed(durationMs: number, error: string): RunOutcome {
  return { durationMs, exitCode: null, signal: null, timedOut: false, stdout: '', stderr: '', error };
}
