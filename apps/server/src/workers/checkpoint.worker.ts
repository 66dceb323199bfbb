// The checkpoint thread (plugins/checkpoints.ts): copies the WAL's committed pages back into the
// database file and syncs it, on a connection of its own, so that the event loop's connection never
// does it on a commit (SQLite's autocheckpoint runs inside the commit that crosses the threshold:
// thousands of scattered page writes and an fsync on the thread that serves the API).
import Database from 'better-sqlite3';
import { serveJobs } from './serve-jobs.js';

export interface CheckpointJob {
  db: string;
}

/** SQLite's answer: whether a reader kept it from finishing, frames in the WAL, frames copied. */
export interface CheckpointAnswer {
  busy: number;
  log: number;
  checkpointed: number;
}

let open: { file: string; db: Database.Database } | null = null;

function connection(file: string): Database.Database {
  if (open?.file === file) return open.db;
  const db = new Database(file, { fileMustExist: true });
  // Never wait on a lock here: a checkpoint that cannot run now runs on the next tick.
  db.pragma('busy_timeout = 0');
  db.pragma('wal_autocheckpoint = 0');
  open = { file, db };
  return db;
}

serveJobs<CheckpointJob>('checkpoint.worker.ts', (job) => {
  const [answer] = connection(job.db).pragma('wal_checkpoint(PASSIVE)') as CheckpointAnswer[];
  return answer;
});
