// Development only: starts a worker from the TS sources (the tests run the server from src/, and
// Node 20 cannot run .ts). Registers source-hooks.mjs, then imports the entry given in workerData.
// The built server never comes here: worker-pool.ts starts dist's .js entry directly.
import { register } from 'node:module';
import { workerData } from 'node:worker_threads';

register('./source-hooks.mjs', import.meta.url);
await import(workerData.entry);
