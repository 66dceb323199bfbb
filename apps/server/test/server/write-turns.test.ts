// The write lock's turns between the event loop and the ingest thread (db/write-turns.ts): each
// side waits for the other's turn to end, never longer; and every write through a connection, and
// no read, takes a turn.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { WriteTurns, withWriteTurns } from '../../src/db/write-turns.js';

const now = (): number => performance.timeOrigin + performance.now();
let worker: Worker | null = null;

afterEach(async () => {
  await worker?.terminate();
  worker = null;
});

interface Hold {
  /** Resolves once the thread has taken its turn. */
  taken: Promise<number>;
  given: Promise<number>;
}

function startThread(turns: WriteTurns): Promise<(holdMs: number) => Hold> {
  const boot = new URL('../../src/workers/source-boot.mjs', import.meta.url);
  const w = new Worker(boot, { workerData: { entry: new URL('./fixtures/turns.worker.ts', import.meta.url).href, buffer: turns.buffer } });
  worker = w;
  const hold = (holdMs: number): Hold => {
    let onTaken: (t: number) => void = () => undefined;
    let onGiven: (t: number) => void = () => undefined;
    const taken = new Promise<number>((r) => (onTaken = r));
    const given = new Promise<number>((r) => (onGiven = r));
    const on = (m: { taken?: number; given?: number }): void => {
      if (m.taken !== undefined) onTaken(m.taken);
      if (m.given !== undefined) {
        w.off('message', on);
        onGiven(m.given);
      }
    };
    w.on('message', on);
    w.postMessage({ holdMs });
    return { taken, given };
  };
  return new Promise((resolve) => w.once('message', () => resolve(hold)));
}

describe('write turns', () => {
  it("the event loop waits for the thread's turn to end, and the thread for the event loop's", async () => {
    const turns = new WriteTurns();
    const hold = await startThread(turns);

    // The thread holds its turn for 150 ms: the event loop's enter() returns only after it gave it.
    const held = hold(150);
    await held.taken;
    turns.enter();
    const entered = now();
    turns.leave();
    expect(entered).toBeGreaterThanOrEqual((await held.given) - 1);

    // The event loop holds its turn for 150 ms: the thread takes its own only after.
    turns.enter();
    const asked = hold(0);
    const until = now() + 150;
    while (now() < until); // the event loop busy in its write
    const left = now();
    turns.leave();
    expect(await asked.taken).toBeGreaterThanOrEqual(left - 1);
    await asked.given;
  });

  it('makes every write through the connection take a turn, and no read', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-turns-'));
    try {
      const db = openDatabase(path.join(dir, 'x.db'));
      let turns = 0;
      let depth = 0;
      withWriteTurns(db, () => {
        turns++;
        depth++;
      }, () => void depth--);
      db.exec('CREATE TABLE t (n INTEGER)');
      const insert = db.prepare('INSERT INTO t (n) VALUES (?)');
      insert.run(1);
      db.transaction(() => {
        insert.run(2);
        insert.run(3);
      })();
      db.prepare('SELECT COUNT(*) FROM t').pluck().get();
      db.prepare('SELECT n FROM t').all();
      expect(turns).toBe(1 + 1 + 3); // exec, run, the transaction and the two runs inside it
      expect(depth).toBe(0);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
