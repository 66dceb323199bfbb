// The replay reader thread, run from dist/ (the CLI bundle runs the same code: bin/bundle-worker.js).
import { workerData } from 'node:worker_threads';
import { runReader, type ReaderInit } from '../cli/replay-reader.js';

runReader(workerData as ReaderInit);
