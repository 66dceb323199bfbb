import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilePatternSource, expandLocation, expandStrftime, type FilePatternSourceOptions } from '../../src/sources/index.js';
import { collect, makeTempDir, sleep, waitFor } from './helpers.js';

let dir: string;
let cleanup: () => void;
const sources: FilePatternSource[] = [];

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  cleanup();
});

function source(opts: Omit<FilePatternSourceOptions, 'sink'> & Partial<Pick<FilePatternSourceOptions, 'sink'>>) {
  const c = collect();
  const s = new FilePatternSource({ sink: c.sink, pollMs: 20, partialLineMs: 150, rescanMs: 60_000, ...opts });
  sources.push(s);
  return { s, c };
}

describe('expandStrftime', () => {
  it('expands the date tokens OSSEC locations use, in local time', () => {
    const d = new Date(2024, 2, 4, 9, 5, 7); // Monday 4 March 2024
    expect(expandStrftime('/var/log/app-%Y-%m-%d_%H%M%S.log', d)).toBe('/var/log/app-2024-03-04_090507.log');
    expect(expandStrftime('%y %b %B %a %A %j %e %I%p %% %Q', d)).toBe('24 Mar March Mon Monday 064  4 09AM % %Q');
    expect(expandStrftime('%j', new Date(2024, 11, 31, 23))).toBe('366');
  });
});

describe('expandLocation', () => {
  it('lists the regular files a wildcard matches, and a plain path as itself', async () => {
    mkdirSync(path.join(dir, 'x'));
    for (const f of ['a.log', 'b.log', 'c.txt', 'x/d.log']) writeFileSync(path.join(dir, f), '');
    mkdirSync(path.join(dir, 'e.log'));
    expect(await expandLocation(path.join(dir, '*.log'), new Date())).toEqual([path.join(dir, 'a.log'), path.join(dir, 'b.log')]);
    expect(await expandLocation(path.join(dir, '?/*.log'), new Date())).toEqual([path.join(dir, 'x/d.log')]);
    expect(await expandLocation(path.join(dir, 'missing.log'), new Date())).toEqual([path.join(dir, 'missing.log')]);
    expect(await expandLocation(path.join(dir, 'nodir/*.log'), new Date())).toEqual([]);
  });
});

describe('FilePatternSource', () => {
  it('follows every file a wildcard matches, picks up new ones from 0 and drops vanished ones', async () => {
    writeFileSync(path.join(dir, 'a.log'), 'old a\n');
    writeFileSync(path.join(dir, 'b.log'), 'old b\n');
    writeFileSync(path.join(dir, 'c.txt'), '');
    const { s, c } = source({ pattern: path.join(dir, '*.log') });
    await s.start();
    expect(s.files().map((f) => f.target)).toEqual([path.join(dir, 'a.log'), path.join(dir, 'b.log')]);
    expect(s.status()).toMatchObject({ kind: 'file', target: path.join(dir, '*.log'), state: 'running' });

    appendFileSync(path.join(dir, 'a.log'), 'new a\n');
    appendFileSync(path.join(dir, 'b.log'), 'new b\n');
    appendFileSync(path.join(dir, 'c.txt'), 'not matched\n');
    await waitFor(() => c.lines().length === 2);
    expect(c.all().map((l) => `${path.basename(l.location)}: ${l.line}`).sort()).toEqual(['a.log: new a', 'b.log: new b']);

    writeFileSync(path.join(dir, 'd.log'), 'd from the start\n');
    await s.rescan();
    await waitFor(() => c.lines().includes('d from the start'));

    rmSync(path.join(dir, 'a.log'));
    await waitFor(() => s.files().find((f) => f.target.endsWith('a.log'))?.state === 'waiting');
    await s.rescan();
    expect(s.files().map((f) => path.basename(f.target))).toEqual(['b.log', 'd.log']);
    expect(s.status().linesRead).toBe(3);
  });

  it('expands %-date tokens and moves to the new day’s file, still finishing the old one', async () => {
    let now = new Date(2024, 2, 4, 23, 59, 30);
    writeFileSync(path.join(dir, 'app-2024-03-04.log'), 'yesterday history\n');
    const { s, c } = source({ pattern: path.join(dir, 'app-%Y-%m-%d.log'), now: () => now });
    await s.start();
    appendFileSync(path.join(dir, 'app-2024-03-04.log'), 'day 1\n');
    await waitFor(() => c.lines().length === 1);

    now = new Date(2024, 2, 5, 0, 0, 30);
    await s.rescan();
    expect(s.files().map((f) => path.basename(f.target))).toEqual(['app-2024-03-04.log', 'app-2024-03-05.log']);
    writeFileSync(path.join(dir, 'app-2024-03-05.log'), 'day 2 first\n');
    appendFileSync(path.join(dir, 'app-2024-03-04.log'), 'day 1 late\n');
    await waitFor(() => c.lines().length === 3);
    expect(c.all().map((l) => `${path.basename(l.location)}: ${l.line}`).sort()).toEqual([
      'app-2024-03-04.log: day 1',
      'app-2024-03-04.log: day 1 late',
      'app-2024-03-05.log: day 2 first',
    ]);
  });

  it('combines %-tokens and wildcards', async () => {
    const now = new Date(2024, 2, 4, 12);
    mkdirSync(path.join(dir, '2024-03'));
    mkdirSync(path.join(dir, '2024-02'));
    writeFileSync(path.join(dir, '2024-03', 'web1.log'), '');
    writeFileSync(path.join(dir, '2024-02', 'web1.log'), '');
    const { s } = source({ pattern: path.join(dir, '%Y-%m', 'web*.log'), now: () => now });
    await s.start();
    expect(s.files().map((f) => f.target)).toEqual([path.join(dir, '2024-03', 'web1.log')]);
  });

  it('does not read a rotated file again when the wildcard also matches its new name', async () => {
    const file = path.join(dir, 'app');
    writeFileSync(file, '');
    const { s, c } = source({ pattern: path.join(dir, 'app*') });
    await s.start();
    appendFileSync(file, 'one\ntwo\n');
    await waitFor(() => c.lines().length === 2);
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'three\n');
    await waitFor(() => c.lines().length === 3);
    await s.rescan();
    expect(s.files().map((f) => path.basename(f.target))).toEqual(['app', 'app.1']);
    appendFileSync(`${file}.1`, 'straggler\n');
    await waitFor(() => c.lines().length === 4);
    await sleep(60);
    expect(c.lines()).toEqual(['one', 'two', 'three', 'straggler']);
  });

  it('reports a missing plain file as waiting and reads it from 0 when it appears', async () => {
    const file = path.join(dir, 'later.log');
    const { s, c } = source({ pattern: file });
    await s.start();
    expect(s.status().state).toBe('waiting');
    writeFileSync(file, 'hello\n');
    await waitFor(() => c.lines().length === 1);
    expect(s.status().state).toBe('running');
    await s.stop();
    expect(s.status().state).toBe('stopped');
  });
});
