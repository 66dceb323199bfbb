// Turns at the database's one write lock, between the event loop and the ingest thread. Without
// them a write on the event loop (a block decided, a notification queued, a sign-in) that meets
// the thread's open transaction is left to SQLite's busy handler, which sleeps 1, 2, 5 … 100 ms
// between tries and, against a thread that commits batch after batch, can miss every gap: the
// event loop stood still for up to 0.8 s (bench/server-ingest.mjs, profile of the event loop).
// With turns, the event loop says it wants to write, waits only for the thread's current
// transaction to end (the thread starts no other meanwhile), writes, and hands the turn back.
// Two flags in shared memory, each written by one side (Dekker's handshake, sequentially
// consistent Atomics): WANT by the event loop, BUSY by the thread.
import type { Db } from './database.js';

const WANT = 0;
const BUSY = 1;
/** Longest wait for the other side before going on regardless (SQLite's busy handler still guards). */
const GIVE_UP_MS = 2000;
/** Each wait is this long at most, then the flags are read again. */
const SLICE_MS = 50;

export class WriteTurns {
  readonly buffer: SharedArrayBuffer;
  readonly #flags: Int32Array;
  #depth = 0;

  constructor(buffer = new SharedArrayBuffer(8)) {
    this.buffer = buffer;
    this.#flags = new Int32Array(buffer);
  }

  /** The event loop's side: wait for the thread's transaction to end, then keep the thread out. */
  enter(): void {
    if (this.#depth++ > 0) return;
    const f = this.#flags;
    Atomics.store(f, WANT, 1);
    const until = performance.now() + GIVE_UP_MS;
    while (Atomics.load(f, BUSY) === 1 && performance.now() < until) Atomics.wait(f, BUSY, 1, SLICE_MS);
  }

  leave(): void {
    if (--this.#depth > 0) return;
    Atomics.store(this.#flags, WANT, 0);
    Atomics.notify(this.#flags, WANT);
  }

  /** The thread's side: take the lock's turn unless the event loop wants it; then wait for it. */
  take(): void {
    if (this.#depth++ > 0) return;
    const f = this.#flags;
    const until = performance.now() + GIVE_UP_MS;
    for (;;) {
      Atomics.store(f, BUSY, 1);
      if (Atomics.load(f, WANT) === 0 || performance.now() >= until) return;
      Atomics.store(f, BUSY, 0);
      Atomics.notify(f, BUSY);
      Atomics.wait(f, WANT, 1, SLICE_MS);
    }
  }

  give(): void {
    if (--this.#depth > 0) return;
    Atomics.store(this.#flags, BUSY, 0);
    Atomics.notify(this.#flags, BUSY);
  }

  /** The thread ended (or was never there): nothing of it holds a turn. */
  reset(): void {
    Atomics.store(this.#flags, BUSY, 0);
    Atomics.notify(this.#flags, BUSY);
  }
}

/**
 * Makes every write through `db` (transactions, statements that return no rows, exec, pragma) run
 * inside `acquire`/`release`. Reads are left alone: WAL lets them run beside the other writer.
 */
export function withWriteTurns(db: Db, acquire: () => void, release: () => void): Db {
  const guard = <T>(fn: () => T): T => {
    acquire();
    try {
      return fn();
    } finally {
      release();
    }
  };
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const statement = prepare(source);
    if (statement.reader) return statement;
    const run = statement.run.bind(statement);
    statement.run = ((...params: unknown[]) => guard(() => run(...params))) as typeof statement.run;
    return statement;
  }) as Db['prepare'];
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const tx = transaction(fn);
    const guarded = ((...args: unknown[]) => guard(() => tx(...args))) as typeof tx;
    for (const mode of ['deferred', 'immediate', 'exclusive'] as const) {
      guarded[mode] = ((...args: unknown[]) => guard(() => tx[mode](...args))) as typeof tx.deferred;
    }
    guarded.default = guarded;
    return guarded;
  }) as Db['transaction'];
  const exec = db.exec.bind(db);
  db.exec = ((source: string) => guard(() => exec(source))) as Db['exec'];
  const pragma = db.pragma.bind(db);
  db.pragma = ((source: string, options?: { simple?: boolean }) => guard(() => pragma(source, options))) as Db['pragma'];
  return db;
}
