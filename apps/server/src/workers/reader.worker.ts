// A reader thread of the database read pool (readers.plugin.ts): the alert list and the stats on a
// read-only connection of its own (WAL: it reads a snapshot while the event loop's connection
// writes). One job at a time; the pool terminates the thread when a job is over its time limit or
// its client went away.
import Database from 'better-sqlite3';
import { AlertQueries } from '../modules/alerts/alerts.repository.js';
import { serveJobs } from './serve-jobs.js';
import type { ListAnswer, ReadJob, StatsAnswer } from './reader-jobs.js';


// V8 terminates a thread only when it runs JavaScript, and a scan inside SQLite runs none: so about
// one row in 256 (at random, whatever the order or the index walked) calls into JavaScript, where
// a termination takes effect at once. One row in 256 costs next to nothing; every row cost ~25%.
const GUARD = 'CASE WHEN (random() & 255) = 0 THEN portcullis_alive() ELSE 1 END';

let open: { file: string; queries: AlertQueries } | null = null;

function queries(file: string): AlertQueries {
  if (open?.file === file) return open.queries;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -32768');
  db.function('portcullis_alive', { deterministic: false }, () => 1);
  open = { file, queries: new AlertQueries(db, { guard: GUARD }) };
  return open.queries;
}

function handle(job: ReadJob): StatsAnswer | ListAnswer {
  const q = queries(job.db);
  if (job.kind === 'alert-list') return q.list(job.query);
  return { rows: q.stats(job.range), stored: job.count ? q.count() : null };
}

serveJobs<ReadJob>('reader.worker.ts', handle);
