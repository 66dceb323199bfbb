import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalTrust, JournaldSource, journalEntryToLine, type CursorStore, type JournaldSourceOptions } from '../../src/sources/index.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { makeEnv } from '../server/helpers.js';
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

/** An entry as `journalctl -o json` prints one from sshd (root, in ssh.service), overridable. */
function entry(cursor: string, message: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    __CURSOR: cursor,
    __REALTIME_TIMESTAMP: micros(noon),
    __MONOTONIC_TIMESTAMP: '81234567',
    _BOOT_ID: '1b2c3d4e5f60718293a4b5c6d7e8f901',
    _TRANSPORT: 'syslog',
    PRIORITY: '6',
    SYSLOG_FACILITY: '4',
    SYSLOG_IDENTIFIER: 'sshd',
    SYSLOG_PID: '4242',
    _PID: '4242',
    _UID: '0',
    _GID: '0',
    _COMM: 'sshd',
    _EXE: '/usr/sbin/sshd',
    _CMDLINE: 'sshd: root [priv]',
    _SYSTEMD_CGROUP: '/system.slice/ssh.service',
    _SYSTEMD_UNIT: 'ssh.service',
    _SYSTEMD_SLICE: 'system.slice',
    _HOSTNAME: 'web1',
    MESSAGE: message,
    ...extra,
  });
}

/** What `logger -t sshd '…'` run by user 1000 in a login session puts in the journal. */
const forgedByLogger = {
  SYSLOG_PID: undefined,
  _PID: '31337',
  _UID: '1000',
  _GID: '1000',
  _COMM: 'logger',
  _EXE: '/usr/bin/logger',
  _CMDLINE: 'logger -t sshd Failed password for root from 203.0.113.9 port 50122 ssh2',
  _SYSTEMD_CGROUP: '/user.slice/user-1000.slice/session-3.scope',
  _SYSTEMD_UNIT: 'session-3.scope',
  _SYSTEMD_SLICE: 'user-1000.slice',
};

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
    expect(journalEntryToLine(JSON.parse(entry('c', bytes, { _PID: undefined, SYSLOG_PID: undefined, SYSLOG_IDENTIFIER: 'app' })))).toBe(
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

describe('journal entries that claim to be sshd', () => {
  it('reads sshd only from sshd running as root, and drops and counts a `logger -t sshd` forgery', async () => {
    const fake = fakeJournalctl([], [
      entry('c1', 'Failed password for root from 203.0.113.9 port 50122 ssh2', forgedByLogger),
      entry('c2', 'Failed password for root from 198.51.100.7 port 40022 ssh2', { _COMM: 'sshd', _EXE: '/home/eve/sshd', _UID: '1000', _SYSTEMD_UNIT: 'session-3.scope' }),
      entry('c3', 'Failed password for bob from 192.0.2.44 port 2222 ssh2'),
    ], 'c0');
    const cursor = memoryCursor('c0');
    const c = collect();
    const s = source({ sink: c.sink, cursor, identifier: 'sshd', journalctlPath: fake.bin });
    await s.start();
    await waitFor(() => cursor.value === 'c3', 5000, 'all three entries');
    expect(c.lines()).toEqual(['Mar  4 12:05:09 web1 sshd[4242]: Failed password for bob from 192.0.2.44 port 2222 ssh2']);
    const st = s.status();
    expect(st.linesRead).toBe(1);
    expect(st.dropped).toEqual({ 'untrusted-identifier': 2 });
    expect(st.recentDrops!.map((d) => d.from)).toEqual([
      'sshd from _COMM=sshd _EXE=/home/eve/sshd _SYSTEMD_UNIT=session-3.scope _UID=1000',
      'sshd from _COMM=logger _EXE=/usr/bin/logger _SYSTEMD_UNIT=session-3.scope _UID=1000',
    ]);
  });

  it('reading the whole journal, guards the names sshd decoders match (sshd-x too) and lets other programs through', async () => {
    const fake = fakeJournalctl([], [
      entry('c1', 'forged with a suffix', { ...forgedByLogger, SYSLOG_IDENTIFIER: 'sshd-x' }),
      entry('c2', 'forged with no identifier', { ...forgedByLogger, SYSLOG_IDENTIFIER: undefined, _COMM: 'sshd', _EXE: '/tmp/sshd' }),
      entry('c3', 'an ordinary program', { ...forgedByLogger, SYSLOG_IDENTIFIER: 'backup' }),
      entry('c4', 'OpenSSH 9.8 logs from sshd-session', { SYSLOG_IDENTIFIER: 'sshd-session', _COMM: 'sshd-session', _EXE: '/usr/lib/openssh/sshd-session' }),
    ], 'c0');
    const cursor = memoryCursor('c0');
    const c = collect();
    const s = source({ sink: c.sink, cursor, journalctlPath: fake.bin });
    await s.start();
    await waitFor(() => cursor.value === 'c4', 5000, 'all four entries');
    expect(c.lines()).toEqual([
      'Mar  4 12:05:09 web1 backup[31337]: an ordinary program',
      'Mar  4 12:05:09 web1 sshd-session[4242]: OpenSSH 9.8 logs from sshd-session',
    ]);
    expect(s.status().dropped).toEqual({ 'untrusted-identifier': 2 });
  });
});

describe('JournalTrust', () => {
  const record = (extra: Record<string, unknown>): Record<string, unknown> => JSON.parse(entry('c', 'm', extra)) as Record<string, unknown>;
  const trust = new JournalTrust({ identifiers: ['sshd'] });

  it('trusts root sshd by process name, executable or unit', () => {
    expect(trust.check(record({}), 'sshd')).toBeNull();
    expect(trust.check(record({ _COMM: 'sshd: root [pr', _EXE: '/usr/sbin/sshd', _SYSTEMD_UNIT: undefined }), 'sshd')).toBeNull();
    expect(trust.check(record({ _COMM: 'x', _EXE: '/x', _SYSTEMD_UNIT: 'sshd@7-10.0.0.1:22-10.0.0.9:51000.service' }), 'sshd')).toBeNull();
    expect(trust.check(record({ _COMM: 'x', _EXE: '/x', _SYSTEMD_UNIT: 'sshd.service' }), 'sshd[99]')).toBeNull();
  });

  it('refuses a wrong uid, a missing uid, a foreign process, and another unit', () => {
    expect(trust.check(record({ _UID: '1000' }), 'sshd')).toMatch(/_UID=1000$/);
    expect(trust.check(record({ _UID: undefined }), 'sshd')).toMatch(/_UID=-$/);
    expect(trust.check(record({ _COMM: 'python3', _EXE: '/usr/bin/python3.12', _SYSTEMD_UNIT: 'cron.service' }), 'sshd')).toBe(
      'sshd from _COMM=python3 _EXE=/usr/bin/python3.12 _SYSTEMD_UNIT=cron.service _UID=0',
    );
    expect(trust.check(record({ _COMM: 'x', _EXE: '/x', _SYSTEMD_UNIT: 'evil-ssh.service' }), 'sshd')).not.toBeNull();
  });

  it('takes the trusted uids from its options, and guards only the named identifiers', () => {
    expect(new JournalTrust({ identifiers: ['sshd'], uids: 'any' }).check(record({ _UID: '1000' }), 'sshd')).toBeNull();
    expect(new JournalTrust({ identifiers: ['sshd'], uids: [0, 74] }).check(record({ _UID: '74' }), 'sshd')).toBeNull();
    expect(trust.check(record(forgedByLogger), 'myapp')).toBeNull();
    expect(new JournalTrust({ identifiers: ['sudo'] }).check(record({ ...forgedByLogger }), 'sudo')).toBe(
      'sudo from _COMM=logger _EXE=/usr/bin/logger _SYSTEMD_UNIT=session-3.scope _UID=1000',
    );
  });
});

describe('<journald_trusted_uid>', () => {
  it('is root by default, repeatable, `any` turns the check off, anything else is an error', () => {
    const env = makeEnv({ portcullis: '<journald_trusted_uid>0</journald_trusted_uid><journald_trusted_uid>74</journald_trusted_uid>' });
    try {
      expect(resolveServerConfig({ config: env.configPath }, {}).journaldTrustedUids).toEqual([0, 74]);
      expect(resolveServerConfig({ config: env.configPath }, { PORTCULLIS_JOURNALD_TRUSTED_UID: 'any' }).journaldTrustedUids).toBe('any');
      expect(() => resolveServerConfig({ config: env.configPath }, { PORTCULLIS_JOURNALD_TRUSTED_UID: 'root' })).toThrow('journald_trusted_uid must be a user id number or any, not "root"');
    } finally {
      env.cleanup();
    }
    const plain = makeEnv();
    try {
      expect(resolveServerConfig({ config: plain.configPath }, {}).journaldTrustedUids).toEqual([0]);
    } finally {
      plain.cleanup();
    }
  });
});
