// `replay` on two threads (a reader thread decodes, the main thread walks the rules) must say
// exactly what one thread says: the same alerts by rule, the same blocks at the same times, on the
// corpora with the stock OSSEC 4.2 home and with the shipped rules, run as a user runs it (the
// bundled CLI) and in process (from the sources). A reader that loaded other decoders is not used.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadContext } from '../../src/cli/context.js';
import { READER_MIN_BYTES, readerWanted, replay } from '../../src/cli/replay.js';
import { ReaderThread } from '../../src/cli/replay-reader.js';
import { decoderSetKey } from '@portcullis/engine';
import { compatDir, corpusDir } from '../compat/shared.js';

const serverDir = resolve(import.meta.dirname, '..', '..');
const bin = join(serverDir, 'bin', 'portcullis.js');
const ossecHome = join(compatDir, 'ossec-hids-4.2.0');
const dir = mkdtempSync(join(tmpdir(), 'portcullis-replay-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `portcullis replay … --json` as a user runs it, without its timing figure. */
function cli(args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [bin, 'replay', ...args, '--json', '--year', '2024', '--no-overrides'], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
    maxBuffer: 64 << 20,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  delete out.lines_per_second;
  return out;
}

describe('replay with a reader thread', () => {
  const corpora = ['auth-100k.log', 'loghub-openssh-2k.log', 'seed-scenario.log'].map((f) => join(corpusDir, f));
  // Lines a corpus lacks: too long for one event, too short, control bytes, JSON, other headers.
  const odd = join(dir, 'odd.log');
  writeFileSync(
    odd,
    [
      '[Sun Dec 04 04:47:44 2005] [error] [client 198.51.100.3] Directory index forbidden by rule: /var/www/html/',
      `Mar  4 18:13:23 web1 sshd[22]: Failed password for ${'x'.repeat(7000)} from 198.51.100.11 port 22 ssh2`,
      'x',
      '',
      'Mar  4 18:13:24 web1 sshd[22]: Failed password for r\u0001oot from 198.51.100.9 port 22 ssh2',
      '{"srcip":"203.0.113.5","program_name":"sshd","a":{"b":[1,2]}}',
      'Mar  4 18:13:25 wéb1 sshd[22]: Failed password for ünïcode from 198.51.100.13 port 22 ssh2',
      'Mar  4 18:13:26 web1 sshd[22]: Invalid user 管理员 from 198.51.100.14',
      ...Array.from({ length: 12 }, (_, i) => `Mar  4 18:14:${String(10 + i)} web1 sshd[22]: Failed password for root from 198.51.100.12 port 22 ssh2`),
      // Times the reader's time code cannot carry (after 2038, fractions) or that are negative
      // (before 1970), and lines with no time between them: the blocks' times tell.
      ...Array.from({ length: 12 }, (_, i) => `2040-03-04T06:00:${String(10 + i)}.25+00:00 web1 sshd[22]: Failed password for root from 198.51.100.15 port 22 ssh2`),
      'no timestamp here',
      ...Array.from({ length: 12 }, (_, i) => `1969-12-31T23:59:${String(10 + i)}.25+00:00 web1 sshd[22]: Failed password for root from 198.51.100.16 port 22 ssh2`),
    ].join('\n'),
  );

  it.each([
    ['the OSSEC 4.2 home', ['--home', ossecHome, '--dialect', 'ossec']],
    ['the shipped rules', []],
  ])('gives what one thread gives with %s, on every corpus (the bundled CLI)', (_name, config) => {
    for (const file of [...corpora, odd]) {
      const one = cli([file, ...config, '--threads', '1']);
      const two = cli([file, ...config, '--threads', '2']);
      expect(two, file).toEqual(one);
      // The default on this machine (two cores or more): the reader takes over a large file once
      // it is ready; a small one is replayed alone.
      expect(cli([file, ...config]), file).toEqual(one);
    }
    expect(cli([join(corpusDir, 'auth-100k.log'), ...config]).lines).toBe(100_000);
    // With --threads 2 the reader thread reads every line (it is not given up on); a small file is
    // replayed alone by default (done before a thread would be ready).
    const text = spawnSync(process.execPath, [bin, 'replay', corpora[1]!, ...config, '--no-overrides', '--threads', '2'], { encoding: 'utf8' });
    expect(text.stdout).toMatch(/lines\/second \(a reader thread decoding, this one evaluating\)\n$/);
    const small = spawnSync(process.execPath, [bin, 'replay', corpora[1]!, ...config, '--no-overrides'], { encoding: 'utf8' });
    expect(small.stdout).toMatch(/lines\/second \(one thread\)\n$/);
  }, 120_000);

  it('gives what one thread gives in process, from the sources: from the first line, and taking over mid-file', async () => {
    const prevTz = process.env.TZ;
    process.env.TZ = 'UTC';
    try {
      const file = join(corpusDir, 'auth-100k.log');
      const opts = { home: ossecHome, dialect: 'ossec' };
      const now = 1_700_000_000;
      const alone = await replay(loadContext(opts), file, 2024, { now });
      expect(alone.threads).toBe(1);
      const same = (rep: typeof alone): void => {
        expect(rep.threads).toBe(2);
        expect({ ...rep, lines_per_second: 0, threads: 0 }).toEqual({ ...alone, lines_per_second: 0, threads: 0 });
      };
      // --threads 2: the reader reads every line.
      same(await replay(loadContext(opts), file, 2024, { reader: new ReaderThread(file, opts), now, waitForReader: true }));
      // The default: this thread replays alone until the reader is ready; here it is ready before
      // the first line, so it takes over at the first look (line 256), with correlation under way.
      const ctx = loadContext(opts);
      const reader = new ReaderThread(file, opts);
      expect(await reader.ready(decoderSetKey(ctx.ruleset.decoders))).toBe(true);
      same(await replay(ctx, file, 2024, { reader, now }));
      expect(alone.blocks.length).toBeGreaterThan(0);
    } finally {
      if (prevTz === undefined) delete process.env.TZ;
      else process.env.TZ = prevTz;
    }
  }, 120_000);

  it('replays alone when the reader loaded other decoders (rules changed between the two loads)', async () => {
    const file = join(corpusDir, 'loghub-openssh-2k.log');
    const opts = { home: ossecHome, dialect: 'ossec' };
    const now = 1_700_000_000;
    const alone = await replay(loadContext(opts), file, 2024, { now });
    // The reader loads the shipped rules: its decoders are not the main thread's.
    const reader = new ReaderThread(file, {});
    const rep = await replay(loadContext(opts), file, 2024, { reader, now, waitForReader: true });
    expect(rep.lines).toBe(2000);
    expect(rep.threads).toBe(1);
    expect({ ...rep, lines_per_second: 0 }).toEqual({ ...alone, lines_per_second: 0 });
  }, 60_000);

  it('replays an empty file and a file without a final newline on two threads', () => {
    const empty = join(dir, 'empty.log');
    writeFileSync(empty, '');
    expect(cli([empty, '--threads', '2'])).toEqual({ lines: 0, alerts: {}, blocks: [] });
    const unended = join(dir, 'unended.log');
    writeFileSync(unended, 'Mar  4 18:13:23 web1 sshd[22]: Failed password for root from 198.51.100.9 port 22 ssh2\nMar  4 18:13:24 web1 sshd[22]: Failed password for root from 198.51.100.9 port 22 ssh2');
    expect(cli([unended, '--threads', '2'])).toEqual(cli([unended, '--threads', '1']));
    expect(cli([unended, '--threads', '2']).lines).toBe(2);
  });

  it('reads the file it was started on, though another takes its name meanwhile (a log rotated)', async () => {
    const file = join(dir, 'rotated.log');
    const original = readFileSync(join(corpusDir, 'loghub-openssh-2k.log'));
    writeFileSync(file, original);
    const opts = { home: ossecHome, dialect: 'ossec' };
    const now = 1_700_000_000;
    const expected = await replay(loadContext(opts), join(corpusDir, 'loghub-openssh-2k.log'), 2024, { now });
    const reader = new ReaderThread(file, opts);
    // Rotated before a line is read: a new, short file takes the name.
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'Mar  4 18:13:23 web1 sshd[22]: Failed password for root from 198.51.100.9 port 22 ssh2\n');
    const rep = await replay(loadContext(opts), file, 2024, { reader, now, waitForReader: true });
    expect(rep.threads).toBe(2);
    expect({ ...rep, lines_per_second: 0, threads: 0 }).toEqual({ ...expected, lines_per_second: 0, threads: 0 });
  });

  it('starts a reader by default for a regular file of 32 MiB or more on two cores, else with --threads 2 only', () => {
    const big = join(dir, 'big.log');
    writeFileSync(big, '');
    truncateSync(big, READER_MIN_BYTES); // sparse: no disk used
    const small = join(corpusDir, 'auth-100k.log');
    expect(readerWanted(big, undefined)).toBe(availableParallelism() >= 2);
    expect(readerWanted(small, undefined)).toBe(false);
    expect(readerWanted(small, 2)).toBe(true);
    expect(readerWanted(big, 1)).toBe(false);
    expect(readerWanted('/dev/null', 2)).toBe(false); // not a regular file: read on one thread
    expect(readerWanted(join(dir, 'missing.log'), 2)).toBe(false); // one thread says why it cannot be read
  });

  it('says which file it cannot read, with no stack', () => {
    const r = spawnSync(process.execPath, [bin, 'replay', join(dir, 'missing.log'), '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`portcullis: cannot read ${join(dir, 'missing.log')}: no such file or directory`);
    const d = spawnSync(process.execPath, [bin, 'replay', dir, '--json'], { encoding: 'utf8' });
    expect(d.status).toBe(2);
    expect(d.stderr.trim()).toBe(`portcullis: cannot read ${dir}: illegal operation on a directory`);
  });
});
