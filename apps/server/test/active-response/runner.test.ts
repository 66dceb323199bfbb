// The runner: executables only from the active-response dir (symlinks checked by real path), run
// without a shell, killed with their children on overrun, output bounded, the JSON handshake.
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalIp, ossecArgv, safeUser, wazuhMessage } from '../../src/modules/active-response/ar-args.js';
import { ScriptNotAllowedError, ScriptRunner } from '../../src/modules/active-response/script-runner.js';
import { asRoot } from '../support/root.js';

let dir: string;
let arDir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'portcullis-runner-'));
  arDir = path.join(dir, 'ar');
  mkdirSync(arDir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string, mode = 0o755): string {
  const p = path.join(arDir, name);
  writeFileSync(p, `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(p, mode);
  return p;
}

describe('resolving executables', () => {
  it('looks the name up as written, then with .sh, inside the directory only', () => {
    const r = new ScriptRunner({ dir: arDir });
    const sh = script('drop.sh', 'exit 0');
    script('plain', 'exit 0');
    expect(r.resolve('drop')).toBe(sh);
    expect(r.resolve('plain')).toBe(path.join(arDir, 'plain'));
    expect(() => r.resolve('missing')).toThrow(ScriptNotAllowedError);
    for (const bad of ['../x', '/bin/sh', '.hidden', 'a\\b', '']) expect(() => r.resolve(bad)).toThrow(ScriptNotAllowedError);
  });

  it('refuses a symlink that leads outside the directory and a file that is not executable', () => {
    writeFileSync(path.join(dir, 'outside.sh'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    symlinkSync(path.join(dir, 'outside.sh'), path.join(arDir, 'escape.sh'));
    script('inside.sh', 'exit 0');
    symlinkSync(path.join(arDir, 'inside.sh'), path.join(arDir, 'alias'));
    script('noexec.sh', 'exit 0', 0o644);
    const r = new ScriptRunner({ dir: arDir });
    expect(() => r.resolve('escape')).toThrow(/outside the active-response directory/);
    expect(r.resolve('alias')).toBe(path.join(arDir, 'inside.sh'));
    expect(() => r.resolve('noexec')).toThrow(/not executable/);
  });

  // The tests run as root, as the server does on a real host: a script others can change is root for them.
  it.runIf(asRoot)('as root, never runs a script, directory or lib/ that someone else can change', () => {
    const r = new ScriptRunner({ dir: arDir });
    const p = script('open.sh', 'exit 0');
    chmodSync(p, 0o777);
    expect(() => r.resolve('open')).toThrow(/writable by anyone \(mode 0777\) and runs as root.*fix: chmod go-w/);
    chmodSync(p, 0o755);
    expect(r.resolve('open')).toBe(p);
    mkdirSync(path.join(arDir, 'lib'));
    writeFileSync(path.join(arDir, 'lib', 'common.sh'), '', { mode: 0o666 });
    chmodSync(path.join(arDir, 'lib', 'common.sh'), 0o666);
    expect(() => r.resolve('open')).toThrow(/the script library .*common\.sh is writable/);
    chmodSync(path.join(arDir, 'lib', 'common.sh'), 0o644);
    chmodSync(arDir, 0o775);
    expect(r.resolve('open')).toBe(p); // group root: root's own (a clone under umask 002)
    chownSync(arDir, 0, 65534);
    expect(() => r.resolve('open')).toThrow(/the active-response directory .* is writable by group/);
  });

  it('knows a script declares check from its header', () => {
    const r = new ScriptRunner({ dir: arDir });
    expect(r.supportsCheck(script('ours.sh', '# usage: ours.sh add|delete|check USER SRCIP'))).toBe(true);
    expect(r.supportsCheck(script('stock.sh', '# usage: stock.sh add|delete USER SRCIP'))).toBe(false);
  });
});

describe('running', () => {
  it('passes arguments as they are, with no shell in between', async () => {
    const out = path.join(dir, 'out');
    const file = script('echo.sh', `printf '%s\\n' "$@" > ${out}; echo done`);
    const r = new ScriptRunner({ dir: arDir });
    const res = await r.run({ file, argv: ['add', '$(id)', '; rm -rf /', '`x`'], stdin: null, handshake: false });
    expect(res).toMatchObject({ exitCode: 0, stdout: 'done\n', timedOut: false, error: null });
    expect(readFileSync(out, 'utf8')).toBe('add\n$(id)\n; rm -rf /\n`x`\n');
  });

  it('records a non-zero exit and stderr, and bounds the output', async () => {
    const file = script('loud.sh', 'head -c 100000 /dev/zero | tr "\\0" x; echo bad >&2; exit 3');
    const res = await new ScriptRunner({ dir: arDir, maxOutput: 1000 }).run({ file, argv: [], stdin: null, handshake: false });
    expect(res.exitCode).toBe(3);
    expect(res.stderr).toBe('bad\n');
    expect(res.stdout.length).toBeLessThan(1100);
    expect(res.stdout).toMatch(/\[… 99000 more bytes\]$/);
  });

  it('kills an overrunning script and everything it started at the time limit', async () => {
    const pidFile = path.join(dir, 'child.pid');
    const file = script('slow.sh', `sleep 30 & echo $! > ${pidFile}; wait`);
    const started = Date.now();
    const res = await new ScriptRunner({ dir: arDir, timeoutMs: 300 }).run({ file, argv: [], stdin: null, handshake: false });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.timedOut).toBe(true);
    expect(res.error).toMatch(/killed after 300 ms/);
    const child = Number(readFileSync(pidFile, 'utf8'));
    // the background sleep is gone too (or a zombie waiting for a reaper)
    const state = existsSync(`/proc/${child}/stat`) ? readFileSync(`/proc/${child}/stat`, 'utf8').split(') ')[1]![0] : 'gone';
    expect(['gone', 'Z', 'X']).toContain(state);
  });

  it('answers check_keys with continue, then lets the script finish', async () => {
    const file = script('wazuh.sh', `read -r msg; echo '{"version":1,"origin":{"name":"w","module":"active-response"},"command":"check_keys","parameters":{"keys":["1.2.3.4"]}}'; read -r reply; echo "got $reply" >&2`);
    const res = await new ScriptRunner({ dir: arDir }).run({ file, argv: [], stdin: '{"command":"add"}', handshake: true });
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toMatch(/^got \{.*"command":"continue"/);
  });

  it('does not wait forever for a script that never prints check_keys', async () => {
    const file = script('silent.sh', 'read -r msg; cat >/dev/null; exit 0');
    const res = await new ScriptRunner({ dir: arDir, handshakeMs: 200 }).run({ file, argv: [], stdin: '{"command":"add"}', handshake: true });
    expect(res.exitCode).toBe(0);
  });
});

describe('argument validation', () => {
  it('accepts only real IPv4 and IPv6 addresses, in canonical form', () => {
    expect(canonicalIp('192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    for (const bad of ['1.2.3.4;id', '01.2.3.4', '0x7f.0.0.1', '127.1', '1.2.3.4/24', 'fe80::1%eth0', '1::2::3', '999.1.1.1', '', ' 1.2.3.4', 'localhost'])
      expect(canonicalIp(bad), bad).toBeNull();
  });

  it("follows OSSEC's user pattern and refuses option-like users", () => {
    expect(safeUser('root')).toBe(true);
    expect(safeUser('john.doe@corp')).toBe(true);
    for (const bad of ['a b', 'a;b', '$(id)', '-rf', '--help', 'x'.repeat(65)]) expect(safeUser(bad), bad).toBe(false);
  });

  it('builds OSSEC argv and refuses a value that did not validate', () => {
    const f = { user: 'root', ip: '192.0.2.1', alertId: '1700000000.5', ruleId: 5712, location: '/var/log/auth.log', filename: null };
    expect(ossecArgv('add', f, [])).toEqual(['add', 'root', '192.0.2.1', '1700000000.5', '5712', '/var/log/auth.log', '-']);
    expect(ossecArgv('check', f, ['x'])).toEqual(['check', 'root', '192.0.2.1']);
    expect(() => ossecArgv('add', { ...f, ip: '1.2.3.4;id' }, [])).toThrow(/unsafe srcip/);
    expect(() => ossecArgv('add', { ...f, location: '$(id)' }, [])).toThrow(/unsafe location/);
    expect(() => ossecArgv('add', f, ['--evil'])).toThrow(/extra_args/);
  });

  it("builds Wazuh's JSON message from validated fields only", () => {
    const f = { user: 'root', ip: '192.0.2.1', alertId: '1700000000.5', ruleId: 5712, location: '/var/log/auth.log', filename: null };
    const m = JSON.parse(wazuhMessage('add', 'firewall-drop', 'firewall-drop', f, [], { time: 0, ruleLevel: 10, ruleDescription: 'sshd: brute force $(x)', ruleGroups: ['sshd'], decoder: 'sshd', hostname: 'h' }));
    expect(m).toMatchObject({ version: 1, command: 'add', parameters: { alert: { data: { srcip: '192.0.2.1', dstuser: 'root' }, rule: { id: '5712', level: 10, description: '' }, id: '1700000000.5' } } });
    expect(m.parameters.alert.full_log).toBeUndefined();
  });
});

describe('a flood', () => {
  it('runs at most maxConcurrent scripts at once; the rest wait their turn', async () => {
    const dirCount = path.join(dir, 'count');
    mkdirSync(dirCount);
    // each run leaves a file while it runs and records how many it saw
    const file = script('busy.sh', `touch ${dirCount}/$$; ls ${dirCount} | wc -l >> ${dir}/seen; sleep 0.1; rm ${dirCount}/$$`);
    const r = new ScriptRunner({ dir: arDir, maxConcurrent: 3 });
    const runs = Array.from({ length: 10 }, () => r.run({ file, argv: [], stdin: null, handshake: false }));
    expect(r.waiting).toBe(7);
    const results = await Promise.all(runs);
    expect(results.every((x) => x.exitCode === 0)).toBe(true);
    const seen = readFileSync(path.join(dir, 'seen'), 'utf8').trim().split('\n').map(Number);
    expect(seen).toHaveLength(10);
    expect(Math.max(...seen)).toBeLessThanOrEqual(3);
  });
});
