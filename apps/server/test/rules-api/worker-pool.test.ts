// The pool behind log tests and draft validation, with a small worker of its own: a job over the
// heap limit or the time limit has its thread terminated and is answered 503 naming the limit; a
// full pool refuses at once with 429 and Retry-After; an aborted job, running or waiting, is
// dropped; an idle thread is reused.
import { afterEach, describe, expect, it } from 'vitest';
import { JobAbortedError, WorkerBusyError, WorkerLimitError, WorkerPool, type WorkerPoolOptions } from '../../src/workers/worker-pool.js';

const script = new URL('./fixtures/pool-worker.mjs', import.meta.url);
let pool: WorkerPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

function makePool(o: Partial<WorkerPoolOptions> = {}): WorkerPool {
  pool = new WorkerPool({ code: 'TEST', label: 'test job', size: 1, queue: 1, timeLimitMs: 10_000, memoryMb: 32, idleMs: 60_000, script, ...o });
  return pool;
}

describe('WorkerPool', () => {
  it('answers from one thread, reused while idle', async () => {
    const p = makePool();
    const a = await p.run<{ echo: number; thread: number }>({ echo: 1 });
    const b = await p.run<{ echo: number; thread: number }>({ echo: 2 });
    expect([a.echo, b.echo]).toEqual([1, 2]);
    expect(b.thread).toBe(a.thread);
    expect(p.stats()).toMatchObject({ threads: 1, running: 0, completed: 2 });
  });

  it('stops a job over its heap limit and says so; the next job gets a new thread', async () => {
    const p = makePool();
    const err = await p.run({ grow: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerLimitError);
    expect(err).toMatchObject({ statusCode: 503, code: 'TEST_MEMORY', message: 'the test job needed more than its 32 MB of memory and was stopped' });
    expect(p.stats()).toMatchObject({ threads: 0, outOfMemory: 1 });
    await expect(p.run({ echo: 3 })).resolves.toMatchObject({ echo: 3 });
  });

  it('stops a job over its time limit', async () => {
    const p = makePool({ timeLimitMs: 300 });
    await expect(p.run({ spin: true })).rejects.toMatchObject({ statusCode: 503, code: 'TEST_TIMEOUT', message: 'the test job took longer than its limit of 0.3 s and was stopped' });
    expect(p.stats()).toMatchObject({ threads: 0, running: 0, timedOut: 1 });
  });

  it('refuses a job beyond the running and waiting ones with 429 and Retry-After, and drops aborted jobs', async () => {
    const p = makePool();
    const running = new AbortController();
    const waiting = new AbortController();
    const first = p.run({ spin: true }, running.signal).catch((e: unknown) => e);
    const second = p.run({ echo: 2 }, waiting.signal).catch((e: unknown) => e);
    expect(p.stats()).toMatchObject({ running: 1, queued: 1 });
    const busy = await p.run({ echo: 3 }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(WorkerBusyError);
    expect(busy).toMatchObject({ statusCode: 429, code: 'TEST_BUSY', headers: { 'retry-after': '10' }, message: 'too many test jobs at once (1 running, 1 waiting); try again in 10 s' });

    waiting.abort();
    expect(await second).toBeInstanceOf(JobAbortedError);
    expect(p.stats()).toMatchObject({ running: 1, queued: 0, threads: 1 });
    running.abort();
    expect(await first).toBeInstanceOf(JobAbortedError);
    expect(p.stats()).toMatchObject({ running: 0, queued: 0, threads: 0, aborted: 2, timedOut: 0 });
  });

  it('passes on an error thrown by the job', async () => {
    const p = makePool();
    await expect(p.run({ fail: 'no such thing' })).rejects.toThrow('test job failed in its worker: no such thing');
    expect(p.stats()).toMatchObject({ threads: 1 });
  });
});
