import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournaldSource, journalEntryToLine, type CursorStore, type JournaldSourceOptions } from '../../src/sources/index.js';
import { collect, makeTempDir, waitFor } from './helpers.js';

let dir: string;
let cleanup: () => void;
const sources: JournaldSource[] = [];

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  cleanup();
});

const micros = (d: Date): string => String(d.getTime() * 1000 + 123);
const noon = new Date(2024, 2, 4, 12, 5, 9);

function entry(cursor: string, message: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    __CURSOR: cursor,
    __REALTIME_TIMESTAMP: micros(noon),
    _HOSTNAME: 'web1',
    SYSLOG_IDENTIFIER: 'sshd',
    _PID: '4242',
    MESSAGE: message,
    ...extra,
  });
}

/**
 * Writes a fake journalctl: it logs its arguments, prints `first` and exits (so the source has to
 * restart it), and when called with --after-cursor=<resumeCursor> prints `second` and stays up.
 */
function fakeJournalctl(first: string[], second: string[], resumeCursor: string, name = 'journalctl'): { bin: string; args: () => string[] } {
  const argsFile = path.join(dir, 'args.log');
  writeFileSync(path.join(dir, 'first.json'), first.map((l) => `${l}\n`).join(''));
  writeFileSync(path.join(dir, 'second.json'), second.map((l) => `${l}\n`).join(''));
  const bin = path.join(dir, name);
  writeFileSync(
    bin,
    `#!/bin/sh
printf '%s\\n' "$*" >> '${argsFile}'
case "$*" in
  *--after-cursor=${resumeCursor}*) cat '${dir}/second.json'; exec sleep 30 ;;
  *) cat '${dir}/first.json'; exit 3 ;;
esac
`,
  );
  chmodSync(bin, 0o755);
  return { bin, args: () => readFileSync(argsFile, 'utf8').trim().split('\n') };
}

function memoryCursor(initial?: string): CursorStore & { value: string | undefined } {
  const store = {
    value: initial,
    get: () => store.value,
    set: (c: string) => void (store.value = c),
  };
  return store;
}

function source(opts: Partial<JournaldSourceOptions> & Pick<JournaldSourceOptions, 'sink'>): JournaldSource {
  const s = new JournaldSource({ backoff: { initialMs: 50, maxMs: 200 }, ...opts });
  sources.push(s);
  return s;
}

describe('journalEntryToLine', () => {
  it('builds a syslog line in local time with a space-padded day', () => {
    expect(journalEntryToLine(JSON.parse(entry('c', 'Failed password for root from 203.0.113.9 port 50122 ssh2')))).toBe(
      'Mar  4 12:05:09 web1 sshd[4242]: Failed password for root from 203.0.113.9 port 50122 ssh2',
    );
  });

  it('decodes a byte-array MESSAGE, drops a missing pid, keeps one entry on one line', () => {
    const bytes = [...Buffer.from('caf\u00e9 \u00fcber\nsecond line\n')];
    expect(journalEntryToLine(JSON.parse(entry('c', bytes, { _PID: undefined, SYSLOG_IDENTIFIER: 'app' })))).toBe(
      'Mar  4 12:05:09 web1 app: caf\u00e9 \u00fcber second line',
    );
  });

  it('falls back to _COMM for the identifier and skips entries without a message', () => {
    expect(journalEntryToLine({ _COMM: 'cron', _HOSTNAME: 'h', __REALTIME_TIMESTAMP: micros(new Date(2024, 10, 23, 1, 2, 3)), MESSAGE: 'x' })).toBe(
      'Nov 23 01:02:03 h cron: x',
    );
    expect(journalEntryToLine({ __CURSOR: 'c', MESSAGE: null })).toBeNull();
  });
});

describe('JournaldSource', () => {
  it('reads entries, persists the cursor, and restarts journalctl after the last cursor when it exits', async () => {
    const fake = fakeJournalctl(
      [entry('c1', 'one'), 'this is not json', entry('c2', 'two', { _PID: '7' })],
      [entry('c3', 'three')],
      'c2',
    );
    const cursor = memoryCursor();
    const c = collect();
    const s = source({ sink: c.sink, cursor, journalctlPath: fake.bin, unit: 'ssh.service' });
    await s.start();
    await waitFor(() => c.lines().length === 3);
    expect(c.lines()).toEqual([
      'Mar  4 12:05:09 web1 sshd[4242]: one',
      'Mar  4 12:05:09 web1 sshd[7]: two',
      'Mar  4 12:05:09 web1 sshd[4242]: three',
    ]);
    expect(c.all().every((l) => l.location === 'journald')).toBe(true);
    expect(cursor.value).toBe('c3');
    expect(fake.args()).toEqual([
      '-f -o json --no-pager --all --unit=ssh.service --lines=0',
      '-f -o json --no-pager --all --unit=ssh.service --after-cursor=c2',
    ]);
    expect(s.status()).toMatchObject({ kind: 'journald', state: 'running', linesRead: 3, id: 'journald:ssh.service' });
    expect(s.status().lastError).toMatch(/journalctl exited \(code 3\)/);
  });

  it('starts after a stored cursor and finds journalctl on PATH', async () => {
    const fake = fakeJournalctl([], [entry('c9', 'resumed')], 'c8');
    const c = collect();
    const s = source({
      sink: c.sink,
      cursor: memoryCursor('c8'),
      identifier: 'sshd',
      env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
    });
    await s.start();
    await waitFor(() => c.lines().length === 1);
    expect(c.lines()).toEqual(['Mar  4 12:05:09 web1 sshd[4242]: resumed']);
    expect(fake.args()).toEqual(['-f -o json --no-pager --all --identifier=sshd --after-cursor=c8']);
  });

  it('does not move the cursor when the sink fails, and offers the entries again', async () => {
    const fake = fakeJournalctl([entry('c1', 'one')], [entry('c2', 'two')], 'c1');
    const cursor = memoryCursor();
    let failures = 1;
    const seen: string[] = [];
    const s = source({
      sink: (lines) => {
        if (failures-- > 0) throw new Error('disk full');
        seen.push(...lines.map((l) => l.line.split(': ')[1]!));
      },
      cursor,
      journalctlPath: fake.bin,
    });
    await s.start();
    await waitFor(() => seen.length === 2, 3000, 'both entries');
    expect(seen).toEqual(['one', 'two']);
    expect(cursor.value).toBe('c2');
    const [first, second] = fake.args();
    expect(first).toBe('-f -o json --no-pager --all --lines=0');
    expect(second).toMatch(/^-f -o json --no-pager --all --since=@\d+$/); // nothing acknowledged yet: back to our start
  });

  it('reports a missing journalctl as failed with a clear error, and keeps retrying', async () => {
    const c = collect();
    const s = source({ sink: c.sink, journalctlPath: path.join(dir, 'no-such-journalctl') });
    await s.start();
    expect(s.status().state).toBe('failed');
    expect(s.status().lastError).toMatch(/journalctl not found/);
    const firstAt = s.status().lastErrorAt!;
    await waitFor(() => s.status().lastErrorAt! > firstAt, 2000, 'a retry');
    await s.stop();
    expect(s.status().state).toBe('stopped');
  });
});
