import { appendFileSync, copyFileSync, mkdirSync, renameSync, rmSync, rmdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTailer, createMemoryPositionStore, type FileTailerOptions, type PositionStore } from '../../src/sources/index.js';
import { collect, makeTempDir, sleep, waitFor, type Collector } from './helpers.js';

let dir: string;
let cleanup: () => void;
const tailers: FileTailer[] = [];

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});
afterEach(async () => {
  await Promise.all(tailers.splice(0).map((t) => t.stop()));
  cleanup();
});

function tailer(opts: Partial<FileTailerOptions> & { path: string; sink: FileTailerOptions['sink'] }): FileTailer {
  const t = new FileTailer({ pollMs: 20, partialLineMs: 150, backoff: { initialMs: 50, maxMs: 200 }, ...opts });
  tailers.push(t);
  return t;
}

const numbered = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix} ${from + i}`);
const text = (lines: string[]): string => lines.map((l) => `${l}\n`).join('');

async function expectLines(c: Collector, expected: string[], timeoutMs = 3000): Promise<void> {
  await waitFor(() => c.lines().length >= expected.length, timeoutMs, `${expected.length} lines (have ${c.lines().length})`);
  await sleep(60); // nothing extra may follow
  expect(c.lines()).toEqual(expected);
}

describe('FileTailer', () => {
  it('starts at the end of an existing file and reads appended lines, with location and CRLF stripped', async () => {
    const file = path.join(dir, 'auth.log');
    writeFileSync(file, 'old line 1\nold line 2\n');
    const c = collect();
    const t = tailer({ path: file, sink: c.sink });
    await t.start();
    expect(t.status()).toMatchObject({ state: 'running', kind: 'file', target: file, id: `file:${file}` });
    appendFileSync(file, 'new 1\r\nnew 2\n\nnew 3\n');
    await expectLines(c, ['new 1', 'new 2', 'new 3']);
    expect(c.all()[0]).toMatchObject({ location: file });
    expect(c.all()[0]!.receivedAt).toBeGreaterThan(Date.now() - 5000);
    expect(t.status().linesRead).toBe(3);
  });

  it('reads an existing file from its start with fromStart', async () => {
    const file = path.join(dir, 'a.log');
    writeFileSync(file, 'one\ntwo\n');
    const c = collect();
    await tailer({ path: file, sink: c.sink, fromStart: true }).start();
    await expectLines(c, ['one', 'two']);
  });

  it('follows a rename+create rotation, finishing the old file first', async () => {
    const file = path.join(dir, 'syslog');
    writeFileSync(file, '');
    const c = collect();
    await tailer({ path: file, sink: c.sink }).start();
    appendFileSync(file, text(numbered('a', 1, 3)));
    await waitFor(() => c.lines().length === 3);
    appendFileSync(file, 'a 4\n');
    renameSync(file, `${file}.1`);
    appendFileSync(`${file}.1`, 'a 5\n'); // the writer still has the old file open
    writeFileSync(file, text(numbered('b', 1, 2)));
    await expectLines(c, [...numbered('a', 1, 5), 'b 1', 'b 2']);
  });

  it('keeps following a file renamed away until a new one appears', async () => {
    const file = path.join(dir, 'app.log');
    writeFileSync(file, '');
    const c = collect();
    const t = tailer({ path: file, sink: c.sink });
    await t.start();
    renameSync(file, `${file}.1`);
    await sleep(60);
    appendFileSync(`${file}.1`, 'late write to old\n');
    await waitFor(() => c.lines().length === 1);
    writeFileSync(file, 'fresh\n');
    await expectLines(c, ['late write to old', 'fresh']);
  });

  it('follows copytruncate rotation', async () => {
    const file = path.join(dir, 'messages');
    writeFileSync(file, '');
    const c = collect();
    await tailer({ path: file, sink: c.sink }).start();
    appendFileSync(file, text(numbered('x', 1, 5)));
    await waitFor(() => c.lines().length === 5);
    copyFileSync(file, `${file}.1`);
    truncateSync(file, 0);
    await sleep(60);
    appendFileSync(file, 'y 1\ny 2\n');
    await expectLines(c, [...numbered('x', 1, 5), 'y 1', 'y 2']);
  });

  it('starts over when the file is truncated and rewritten shorter', async () => {
    const file = path.join(dir, 't.log');
    writeFileSync(file, '');
    const c = collect();
    await tailer({ path: file, sink: c.sink }).start();
    appendFileSync(file, 'a fairly long first line\nand a second one\n');
    await waitFor(() => c.lines().length === 2);
    writeFileSync(file, 'short\n'); // O_TRUNC then write, same inode
    await expectLines(c, ['a fairly long first line', 'and a second one', 'short']);
  });

  it('reads a deleted and recreated file from its start', async () => {
    const file = path.join(dir, 'd.log');
    writeFileSync(file, '');
    const c = collect();
    const t = tailer({ path: file, sink: c.sink });
    await t.start();
    appendFileSync(file, 'before\n');
    await waitFor(() => c.lines().length === 1);
    rmSync(file);
    await waitFor(() => t.status().state === 'waiting', 2000, 'waiting');
    writeFileSync(file, 'after 1\nafter 2\n');
    await expectLines(c, ['before', 'after 1', 'after 2']);
    expect(t.status().state).toBe('running');
  });

  it('waits for a file (and its directory) that appears late, then reads it from 0', async () => {
    const sub = path.join(dir, 'later');
    const file = path.join(sub, 'late.log');
    const c = collect();
    const t = tailer({ path: file, sink: c.sink });
    await t.start();
    expect(t.status().state).toBe('waiting');
    mkdirSync(sub);
    writeFileSync(file, 'first\nsecond\n');
    await expectLines(c, ['first', 'second']);
    expect(t.status().state).toBe('running');
  });

  it('emits a last line without newline after the quiet period, once', async () => {
    const file = path.join(dir, 'p.log');
    writeFileSync(file, '');
    const c = collect();
    await tailer({ path: file, sink: c.sink, partialLineMs: 200 }).start();
    appendFileSync(file, 'complete\npart');
    await waitFor(() => c.lines().length === 1);
    appendFileSync(file, 'ial'); // the line is still growing: the quiet period starts again
    await sleep(120);
    expect(c.lines()).toEqual(['complete']);
    await waitFor(() => c.lines().length === 2, 2000, 'partial line');
    expect(c.lines()).toEqual(['complete', 'partial']);
    appendFileSync(file, ' rest\nnext\n');
    await expectLines(c, ['complete', 'partial', ' rest', 'next']);
  });

  it('resumes exactly where it stopped', async () => {
    const file = path.join(dir, 'r.log');
    writeFileSync(file, 'pre\n');
    const store = createMemoryPositionStore();
    const c1 = collect();
    const t1 = tailer({ path: file, sink: c1.sink, positions: store });
    await t1.start();
    appendFileSync(file, text(numbered('one', 1, 3)));
    await expectLines(c1, numbered('one', 1, 3));
    await t1.stop();
    expect(t1.status().state).toBe('stopped');
    expect(store.get(file)).toMatchObject({ ino: statSync(file).ino, offset: statSync(file).size });

    appendFileSync(file, text(numbered('two', 1, 4)) + 'half');
    const c2 = collect();
    const t2 = tailer({ path: file, sink: c2.sink, positions: store, partialLineMs: 60_000 });
    await t2.start();
    await expectLines(c2, numbered('two', 1, 4));
    await t2.stop();

    appendFileSync(file, ' done\n');
    const c3 = collect();
    await tailer({ path: file, sink: c3.sink, positions: store }).start();
    await expectLines(c3, ['half done']);
  });

  it('after a rotation while stopped, reads the rest of the old file, then the new one', async () => {
    const file = path.join(dir, 'secure');
    writeFileSync(file, '');
    const store = createMemoryPositionStore();
    const c1 = collect();
    const t1 = tailer({ path: file, sink: c1.sink, positions: store });
    await t1.start();
    appendFileSync(file, text(numbered('old', 1, 2)));
    await expectLines(c1, numbered('old', 1, 2));
    await t1.stop();

    appendFileSync(file, text(numbered('old', 3, 4)));
    // dateext-style rotation plus unrelated siblings, so the old inode has to be searched for
    writeFileSync(`${file}.1`, 'an older rotation\n');
    writeFileSync(path.join(dir, 'other.log'), 'unrelated\n');
    renameSync(file, `${file}-20240304`);
    writeFileSync(file, text(numbered('new', 1, 3)));

    const c2 = collect();
    await tailer({ path: file, sink: c2.sink, positions: store }).start();
    await expectLines(c2, [...numbered('old', 3, 4), ...numbered('new', 1, 3)]);
    expect(store.get(file)).toMatchObject({ ino: statSync(file).ino, offset: statSync(file).size });
  });

  it('reads from 0 when the file was truncated while stopped', async () => {
    const file = path.join(dir, 'trunc.log');
    writeFileSync(file, '');
    const store = createMemoryPositionStore();
    const c1 = collect();
    const t1 = tailer({ path: file, sink: c1.sink, positions: store });
    await t1.start();
    appendFileSync(file, 'a much longer line than the next\n');
    await waitFor(() => c1.lines().length === 1);
    await t1.stop();
    writeFileSync(file, 'short\n');
    const c2 = collect();
    await tailer({ path: file, sink: c2.sink, positions: store }).start();
    await expectLines(c2, ['short']);
  });

  it('does not lose lines appended between a first start at the end and a crash', async () => {
    const file = path.join(dir, 'crash.log');
    writeFileSync(file, 'history\n');
    const store = createMemoryPositionStore();
    const t1 = tailer({ path: file, sink: () => undefined, positions: store });
    await t1.start();
    await t1.stop();
    appendFileSync(file, 'written while down\n');
    const c = collect();
    await tailer({ path: file, sink: c.sink, positions: store }).start();
    await expectLines(c, ['written while down']);
  });

  it('moves the position only after the sink returned, inside atomic', async () => {
    const file = path.join(dir, 'tx.log');
    writeFileSync(file, '');
    const events: string[] = [];
    let failNext = true;
    const store: PositionStore = {
      get: () => undefined,
      set: (_p, pos) => void events.push(`set ${pos.offset}`),
    };
    const t = tailer({
      path: file,
      positions: store,
      atomic: (fn) => {
        events.push('begin');
        fn();
        events.push('commit');
      },
      sink: (lines) => {
        if (failNext) {
          failNext = false;
          throw new Error('database is locked');
        }
        events.push(`sink ${lines.map((l) => l.line).join(',')}`);
      },
    });
    await t.start();
    events.length = 0;
    appendFileSync(file, 'l1\nl2\n');
    await waitFor(() => t.status().state === 'failed');
    expect(t.status().lastError).toBe('database is locked');
    expect(t.status().lastErrorAt).not.toBeNull();
    await waitFor(() => events.includes('commit'), 8000, 'retry'); // backoff is 1 s; leave room for a loaded machine
    expect(events).toEqual(['begin', 'begin', 'sink l1,l2', 'set 6', 'commit']);
    // The state turns back to running when the whole step is done, a few awaits after the commit.
    await waitFor(() => t.status().state === 'running', 2000, 'running again');
    expect(t.status()).toMatchObject({ state: 'running', linesRead: 2 });
  });

  it('reads a big append in chunks and batches, in order', async () => {
    const file = path.join(dir, 'big.log');
    writeFileSync(file, '');
    const c = collect();
    await tailer({ path: file, sink: c.sink, chunkBytes: 64 * 1024 }).start();
    const lines = numbered('Mar  4 10:15:01 host sshd[123]: Failed password for root from 203.0.113.9 port', 1, 60_000);
    appendFileSync(file, text(lines));
    await waitFor(() => c.lines().length >= lines.length, 10_000, 'all lines');
    expect(c.lines()).toEqual(lines);
    expect(Math.max(...c.batches.map((b) => b.length))).toBeLessThanOrEqual(5000);
    expect(c.batches.length).toBeGreaterThanOrEqual(12);
  });

  it('cuts an over-long line and discards its tail instead of emitting it as a line', async () => {
    const file = path.join(dir, 'long.log');
    writeFileSync(file, '');
    const c = collect();
    await tailer({ path: file, sink: c.sink, maxLineBytes: 100, chunkBytes: 64 }).start();
    appendFileSync(file, `${'A'.repeat(250)} forged: Failed password for root from 198.51.100.7\nok\n`);
    await expectLines(c, ['A'.repeat(100), 'ok']);
  });

  it('fails on a path that is not a regular file, then recovers', async () => {
    const file = path.join(dir, 'notafile');
    mkdirSync(file);
    const c = collect();
    const t = tailer({ path: file, sink: c.sink });
    await t.start();
    expect(t.status().state).toBe('failed');
    expect(t.status().lastError).toMatch(/not a regular file/);
    rmdirSync(file);
    writeFileSync(file, 'now a file\n');
    await expectLines(c, ['now a file']);
    expect(t.status().state).toBe('running');
  });

  it('lets the event loop in between the batches of a backlog, even within one read chunk', async () => {
    // 10,000 short lines in one 1 MiB read: batches of at most 1,000 lines, each followed by a turn
    // of the event loop, so an HTTP request or a release timer never waits for the whole backlog.
    const file = path.join(dir, 'backlog.log');
    writeFileSync(file, text(numbered('line', 1, 10_000)));
    const events: string[] = [];
    let ticking = true;
    const tick = (): void => {
      events.push('tick');
      if (ticking) setImmediate(tick);
    };
    const c = collect();
    const t = tailer({ path: file, fromStart: true, chunkBytes: 1 << 20, maxBatchLines: 1000, sink: (lines) => {
      events.push(`batch ${lines.length}`);
      c.sink(lines);
    } });
    setImmediate(tick);
    await t.start();
    await expectLines(c, numbered('line', 1, 10_000));
    ticking = false;
    const batches = events.filter((e) => e.startsWith('batch'));
    expect(batches.length).toBeGreaterThanOrEqual(10);
    for (const b of batches) expect(Number(b.split(' ')[1])).toBeLessThanOrEqual(1000);
    // Between any two batches the loop turned at least once.
    const firstBatch = events.indexOf(batches[0]!);
    const lastBatch = events.lastIndexOf(batches.at(-1)!);
    const run = events.slice(firstBatch, lastBatch + 1);
    for (let i = 1; i < run.length; i++) expect(run[i - 1]!.startsWith('batch') && run[i]!.startsWith('batch')).toBe(false);
  });

  it('is started once the file is open: a backlog is read on after start() returns', async () => {
    // The server waits for its sources to start before it listens: a big backlog, or a file written
    // faster than it is read, must not keep the API down (or fail the start on its time limit).
    const file = path.join(dir, 'backlog.log');
    writeFileSync(file, text(numbered('line', 1, 50_000)));
    const c = collect();
    const t = tailer({ path: file, fromStart: true, sink: (lines) => {
      const until = performance.now() + 2;
      while (performance.now() < until); // a busy pipeline: 2 ms per batch
      c.sink(lines);
    } });
    await t.start();
    expect(t.status().state).toBe('running');
    expect(c.lines().length).toBeLessThan(50_000);
    await expectLines(c, numbered('line', 1, 50_000), 30_000);
  });
});
