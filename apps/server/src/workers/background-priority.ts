// Worker threads (log tests, draft validation, dashboard reads) do work someone waits for, but the
// event loop tails logs, answers /api/health and runs block releases: on a busy two-core host it
// must win the CPU. Linux schedules each thread on its own, and setpriority() on a thread id renices
// that thread alone, so a worker lowers its own priority when it starts.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Renices the calling thread (Linux); elsewhere, or when not allowed, it keeps the process's priority. */
export function runInBackground(nice = 10): void {
  try {
    // "/proc/thread-self" links to "PID/task/TID".
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // not Linux, or no /proc
  }
}
