// Alerts become blocks that really run the script, extend instead of re-adding, escalate per
// repeated_offenders, expire on the timer, survive a restart, and fail or refuse visibly.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_COMMAND, attack, fakeBinding, makeWorld, type World } from './helpers.js';

let w: World | null = null;
afterEach(async () => {
  await w?.close();
  w?.cleanup();
  w = null;
});

const MIN = 60_000;

describe('alert → block', () => {
  it('runs add with OSSEC arguments, verifies with check, and expires on the timer with delete', async () => {
    w = makeWorld();
    w.feed(attack('192.0.2.10'));
    const [b] = w.blocks();
    expect(b!.state).toBe('pending'); // the row exists before the script has run
    await w.settle();
    const active = w.block(b!.id);
    expect(active).toMatchObject({ state: 'active', ip: '192.0.2.10', command: 'fake', rule_id: 100301, offense: 1, verified: 1, timeout: 600 });
    expect(active.expires_at).toBe(active.created_at + 600_000);
    expect(w.blocked('192.0.2.10')).toBe(true);
    const add = w.calls().find((c) => c[1] === 'add')!;
    expect(add.slice(1)).toEqual(['add', 'root', '192.0.2.10', `${Math.floor(w.clock.now / 1000)}.${active.alert_id}`, '100301', '/var/log/test.log', '/etc/passwd']);
    expect(w.calls().some((c) => c[1] === 'check')).toBe(true);

    w.advance(599_000);
    await w.settle();
    expect(w.block(b!.id).state).toBe('active');
    w.advance(1_000);
    await w.settle();
    const done = w.block(b!.id);
    expect(done).toMatchObject({ state: 'expired', released_by: null });
    expect(w.blocked('192.0.2.10')).toBe(false);
    const del = w.calls().find((c) => c[1] === 'delete')!;
    expect(del.slice(2)).toEqual(add.slice(2)); // delete replays add's arguments
    const runs = w.ar.deps.runs.runsOf(b!.id);
    expect(runs.map((r) => r.action)).toEqual(['add', 'check', 'delete']);
    expect(runs.every((r) => r.exit_code === 0 && r.duration_ms !== null)).toBe(true);
    expect(runs.filter((r) => r.action !== 'check').every((r) => r.stdout.startsWith('fake-ar:'))).toBe(true);
    // state changes were published in order
    expect(w.published.filter((p) => p.id === b!.id).map((p) => p.state)).toEqual(expect.arrayContaining(['pending', 'active', 'releasing', 'expired']));
  });

  it('extends the timer of a block already active instead of running add again', async () => {
    w = makeWorld();
    w.feed(attack('192.0.2.11'));
    await w.settle();
    const first = w.blocks()[0]!;
    w.clock.now += 5 * MIN;
    w.feed(attack('192.0.2.11'), attack('192.0.2.11'));
    await w.settle();
    expect(w.blocks()).toHaveLength(1);
    expect(w.calls().filter((c) => c[1] === 'add')).toHaveLength(1);
    const b = w.block(first.id);
    expect(b.hits).toBe(3);
    expect(b.expires_at).toBe(w.clock.now + 600_000);
  });

  it('escalates per repeated_offenders, per command and address, and keeps counting after a restart', async () => {
    const config = `${FAKE_COMMAND}${fakeBinding('<timeout>600</timeout><repeated_offenders>30,60</repeated_offenders>')}`;
    w = makeWorld({ config });
    const expectBlock = async (minutes: number, offense: number): Promise<void> => {
      w!.feed(attack('192.0.2.12'));
      await w!.settle();
      const b = w!.blocks().at(-1)!;
      expect({ state: b.state, timeout: b.timeout, offense: b.offense }).toEqual({ state: 'active', timeout: minutes * 60, offense });
      w!.advance(minutes * MIN);
      await w!.settle();
      expect(w!.block(b.id).state).toBe('expired');
    };
    await expectBlock(10, 1);
    await expectBlock(30, 2);
    // A restart in between: the count is in the database.
    const dir = w.dir;
    const now = w.clock.now;
    await w.close();
    w = makeWorld({ config, dir, startAt: now });
    await expectBlock(60, 3);
    await expectBlock(60, 3); // the last value repeats
    // another address starts at the beginning
    w.feed(attack('192.0.2.13'));
    await w.settle();
    expect(w.blocks().at(-1)).toMatchObject({ ip: '192.0.2.13', timeout: 600, offense: 1 });
  });

  it('escalates a block re-alerted while it is active (Wazuh: escalate before the duplicate check)', async () => {
    w = makeWorld({ config: `${FAKE_COMMAND}${fakeBinding('<timeout>600</timeout><repeated_offenders>30,60</repeated_offenders>')}` });
    w.feed(attack('192.0.2.14'));
    await w.settle();
    w.feed(attack('192.0.2.14'));
    const b = w.blocks()[0]!;
    expect(b).toMatchObject({ timeout: 1800, offense: 2, expires_at: w.clock.now + 1800_000 });
    expect(w.calls().filter((c) => c[1] === 'add')).toHaveLength(1);
  });

  it('blocks again when an alert comes while the old block is being deleted, after the delete', async () => {
    w = makeWorld();
    w.feed(attack('192.0.2.21'));
    await w.settle();
    writeFileSync(path.join(w.fakeDir, 'sleep'), '0.3');
    w.advance(600_000);
    expect(w.blocks()[0]!.state).toBe('releasing');
    w.feed(attack('192.0.2.21'));
    expect(w.blocks().map((b) => b.state)).toEqual(['releasing', 'pending']);
    await w.settle();
    expect(w.blocks().map((b) => b.state)).toEqual(['expired', 'active']);
    expect(w.calls().map((c) => c[1])).toEqual(['add', 'check', 'delete', 'add', 'check']);
    expect(w.blocked('192.0.2.21')).toBe(true);
  });

  it('shows a failed add as failed, never active, and tries again on the next alert', async () => {
    w = makeWorld();
    w.setExit(4);
    w.feed(attack('192.0.2.15'));
    await w.settle();
    const b = w.blocks()[0]!;
    expect(b.state).toBe('failed');
    expect(b.reason).toMatch(/^add exited 4/);
    expect(w.published.some((p) => p.id === b.id && p.state === 'active')).toBe(false);
    w.setExit(0);
    w.feed(attack('192.0.2.15'));
    await w.settle();
    expect(w.blocks().map((x) => x.state)).toEqual(['failed', 'active']);
  });

  it('keeps a block active when delete fails, and retries', async () => {
    w = makeWorld();
    w.feed(attack('192.0.2.16'));
    await w.settle();
    w.setExit(4);
    w.advance(600_000);
    await w.settle();
    const b = w.blocks()[0]!;
    expect(b.state).toBe('active');
    expect(b.reason).toMatch(/^delete exited 4/);
    expect(b.expires_at).toBe(w.clock.now + 60_000);
    w.setExit(0);
    w.advance(60_000);
    await w.settle();
    expect(w.block(b.id).state).toBe('expired');
  });

  it('runs a block whose timeout came due while the server was down, at start, and re-arms the others', async () => {
    w = makeWorld();
    w.feed(attack('192.0.2.17'));
    w.clock.now += 300_000;
    w.feed(attack('192.0.2.18'));
    await w.settle();
    const dir = w.dir;
    const now = w.clock.now;
    await w.close();
    // a restart 10 minutes after the first block: it is overdue, the second has 5 minutes left
    w = makeWorld({ dir, startAt: now + 300_000 });
    await w.settle();
    const [a, b] = w.blocks();
    expect(a).toMatchObject({ ip: '192.0.2.17', state: 'expired' });
    expect(b).toMatchObject({ ip: '192.0.2.18', state: 'active' });
    expect(w.blocked('192.0.2.17')).toBe(false);
    expect(w.blocked('192.0.2.18')).toBe(true);
    expect(w.ar.service.timer.armedFor).toBe(b!.expires_at);
  });

  it('puts active blocks back into a firewall emptied by a reboot, at start', async () => {
    w = makeWorld();
    w.feed(attack('192.0.2.22'));
    await w.settle();
    const dir = w.dir;
    const now = w.clock.now;
    await w.close();
    rmSync(path.join(dir, 'fake', 'blocked-192.0.2.22')); // the reboot
    w = makeWorld({ dir, startAt: now + 60_000, extra: { reconcileMs: 3600_000 } });
    await w.ar.reconcile(); // the one start() began
    expect(w.blocked('192.0.2.22')).toBe(true);
    expect(w.ar.deps.runs.eventsOfBlocks([1]).map((e) => e.kind)).toEqual(['created', 'active', 'drift', 'verified']);
  });

  it('redoes an add interrupted by a crash (a pending row at start)', async () => {
    w = makeWorld();
    const id = w.ar.deps.blocks.insert({
      ip: '192.0.2.19', command: 'fake', executable: 'fake-ar', protocol: 'ossec', origin: 'alert', state: 'pending', rule_id: 100301,
      alert_id: null, user: null, location: null, filename: null, request: null, ar_index: 0, timeout: 600, offense: 1,
      created_at: w.clock.now, created_by: 'rule 100301', expires_at: w.clock.now + 600_000, reason: null,
    });
    w.ar.service.resume();
    await w.settle();
    expect(w.block(id).state).toBe('active');
    expect(w.blocked('192.0.2.19')).toBe(true);
  });

  it('writes logs/active-responses.log in the data dir in OSSEC line format', async () => {
    w = makeWorld();
    w.feed(attack('192.0.2.20'));
    await w.settle();
    w.advance(600_000);
    await w.settle();
    await w.ar.stop();
    const log = readFileSync(path.join(w.dataDir, 'logs', 'active-responses.log'), 'utf8').trim().split('\n');
    const exe = path.join(w.arDir, 'fake-ar.sh');
    const date = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ \d{4} /;
    expect(log.every((l) => date.test(l))).toBe(true);
    expect(log.some((l) => l.replace(date, '').startsWith(`${exe} add root 192.0.2.20 `))).toBe(true);
    expect(log.some((l) => l.replace(date, '').startsWith(`${exe} delete root 192.0.2.20 `))).toBe(true);
  });
});
