// Manual blocks and releases (with grace), the IP timeline, reconciliation of drift, and a
// json-protocol command through the whole life of a block.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlockRefusedError } from '../../src/modules/active-response/manual-blocks.js';
import { attack, makeWorld, type World } from './helpers.js';

let w: World | null = null;
afterEach(async () => {
  await w?.close();
  w?.cleanup();
  w = null;
});

const alice = { name: 'alice', ip: '198.51.100.50' };

describe('manual blocks and releases', () => {
  it('blocks with a duration and a reason, and releases with a reason, each in the audit log', async () => {
    const audit: unknown[] = [];
    w = makeWorld({ extra: { audit: (e) => audit.push(e) } });
    const { block, created } = await w.ar.manual.block({ ip: '2001:DB8::7', duration: 120, reason: 'scanning' }, alice);
    expect(created).toBe(true);
    expect(block).toMatchObject({ state: 'active', ip: '2001:db8::7', origin: 'manual', created_by: 'alice', reason: 'scanning', timeout: 120, verified: 1 });
    expect(block.expires_at).toBe(w.clock.now + 120_000);
    expect(w.blocked('2001:db8::7')).toBe(true);
    const released = await w.ar.manual.release(block.id, { reason: 'false positive' }, alice);
    expect(released).toMatchObject({ state: 'released', released_by: 'alice', release_reason: 'false positive' });
    expect(w.blocked('2001:db8::7')).toBe(false);
    expect(audit).toEqual([
      expect.objectContaining({ actor: 'alice', sourceIp: '198.51.100.50', action: 'block.create', target: '2001:db8::7' }),
      expect.objectContaining({ actor: 'alice', action: 'block.release', target: '2001:db8::7' }),
    ]);
    await expect(w.ar.manual.release(block.id, { reason: 'again' }, alice)).rejects.toThrow(/is released, not active/);
  });

  it('refuses to block a white-listed or protected address, and records the refusal', async () => {
    w = makeWorld({ config: '<global><white_list>192.0.2.0/24</white_list></global><command><name>fake</name><executable>fake-ar</executable><timeout_allowed>yes</timeout_allowed></command>' });
    await expect(w.ar.manual.block({ ip: '192.0.2.4', reason: 'x' }, alice)).rejects.toBeInstanceOf(BlockRefusedError);
    await expect(w.ar.manual.block({ ip: '127.0.0.1', reason: 'x' }, alice)).rejects.toThrow(/protected: loopback/);
    await expect(w.ar.manual.block({ ip: 'not-an-ip', reason: 'x' }, alice)).rejects.toThrow(/not an IPv4 or IPv6 address/);
    expect(w.blocks().map((b) => [b.state, b.reason])).toEqual([['refused', 'white-listed (192.0.2.0/24)'], ['refused', 'protected: loopback address']]);
    expect(w.calls()).toHaveLength(0);
  });

  it('keeps the same address from being blocked again by alerts during a grace period', async () => {
    w = makeWorld();
    w.feed(attack('203.0.113.5'));
    await w.settle();
    const b = w.blocks()[0]!;
    await w.ar.manual.release(b.id, { reason: 'customer called', graceSeconds: 300 }, alice);
    w.feed(attack('203.0.113.5'));
    await w.settle();
    expect(w.blocks().at(-1)).toMatchObject({ state: 'refused', reason: expect.stringMatching(/^grace period after a release by alice, until /) });
    w.clock.now += 301_000;
    w.feed(attack('203.0.113.5'));
    await w.settle();
    expect(w.blocks().at(-1)).toMatchObject({ state: 'active', ip: '203.0.113.5' });
  });

  it('releases a block whose add is still running once the add is done', async () => {
    w = makeWorld();
    w.feed(attack('203.0.113.6'));
    const b = w.blocks()[0]!;
    expect(b.state).toBe('pending');
    const released = await w.ar.manual.release(b.id, { reason: 'oops' }, alice);
    expect(released.state).toBe('released');
    expect(w.calls().map((c) => c[1])).toEqual(['add', 'check', 'delete']);
    expect(w.blocked('203.0.113.6')).toBe(false);
  });

  it('extends an open block instead of adding a second one', async () => {
    w = makeWorld();
    const first = await w.ar.manual.block({ ip: '203.0.113.7', duration: 60, reason: 'a' }, alice);
    const second = await w.ar.manual.block({ ip: '203.0.113.7', duration: 3600, reason: 'b' }, alice);
    expect(second.created).toBe(false);
    expect(second.block.id).toBe(first.block.id);
    expect(second.block.expires_at).toBe(w.clock.now + 3600_000);
    expect(w.calls().filter((c) => c[1] === 'add')).toHaveLength(1);
  });
});

describe('timeline and reconciliation', () => {
  it('shows alerts with their lines, script runs, blocks and releases with their actors', async () => {
    w = makeWorld();
    w.feed(attack('203.0.113.8'));
    await w.settle();
    const b = w.blocks()[0]!;
    w.clock.now += 1000;
    await w.ar.manual.release(b.id, { reason: 'checked' }, alice);
    const t = w.ar.queries.timeline('203.0.113.8');
    expect(t).toMatchObject({ ip: '203.0.113.8', alert_count: 1, current: null, whitelisted: null });
    expect(t.blocks).toHaveLength(1);
    const kinds = t.events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['alert', 'block', 'script', 'release']));
    expect(t.events.find((e) => e.kind === 'alert')!.detail).toContain('attack from 203.0.113.8');
    expect(t.events.find((e) => e.kind === 'release' && e.actor === 'alice')!.summary).toMatch(/checked/);
    expect(t.events.filter((e) => e.kind === 'script').map((e) => e.summary.split(':')[0])).toEqual(['fake delete', 'fake check', 'fake add']);
    expect(w.ar.queries.timeline('127.0.0.1').whitelisted).toBe('protected: loopback address');
  });

  it('finds drift with check and fixes it both ways', async () => {
    w = makeWorld();
    w.feed(attack('203.0.113.9'), attack('203.0.113.10'));
    await w.settle();
    const [a, b] = w.blocks();
    // someone flushed the firewall by hand
    rmSync(path.join(w.fakeDir, 'blocked-203.0.113.9'));
    w.advance(600_000);
    await w.settle();
    expect(w.block(b!.id).state).toBe('expired');
    // …and re-added an expired one
    writeFileSync(path.join(w.fakeDir, 'blocked-203.0.113.10'), '');
    // a is expired too now; make it active again by a new alert and then remove it by hand
    w.feed(attack('203.0.113.9'));
    await w.settle();
    const c = w.blocks().at(-1)!;
    rmSync(path.join(w.fakeDir, 'blocked-203.0.113.9'));
    const report = await w.ar.reconcile();
    expect(report).toEqual({ checked: 2, drift: 2, fixed: 2 });
    expect(w.blocked('203.0.113.9')).toBe(true);
    expect(w.blocked('203.0.113.10')).toBe(false);
    expect(w.block(c.id)).toMatchObject({ state: 'active', verified: 1, drift: 0 });
    expect(w.ar.deps.runs.eventsOfBlocks([c.id]).map((e) => e.kind)).toEqual(['created', 'active', 'drift', 'verified']);
    expect(a!.id).not.toBe(c.id);
  });
});

describe('json protocol', () => {
  it("sends Wazuh's message on stdin, answers check_keys with continue, and replays it as delete", async () => {
    w = makeWorld({ config: '<command><name>fake</name><executable>fake-ar</executable><timeout_allowed>yes</timeout_allowed><protocol>json</protocol></command><active-response><command>fake</command><location>local</location><level>5</level><timeout>60</timeout></active-response>' });
    w.feed(attack('203.0.113.11', 'admin'));
    await w.settle();
    w.advance(60_000);
    await w.settle();
    const calls = w.calls();
    expect(calls.map((c) => c[0])).toEqual(['json', 'reply', 'argv', 'json']);
    const add = JSON.parse(calls[0]![1]!);
    expect(add).toMatchObject({ version: 1, command: 'add', parameters: { alert: { rule: { id: '100301', level: 10 }, data: { srcip: '203.0.113.11', dstuser: 'admin' } } } });
    expect(JSON.parse(calls[1]![1]!).command).toBe('continue');
    expect(calls[2]!.slice(1)).toEqual(['check', 'admin', '203.0.113.11']);
    const del = JSON.parse(calls[3]![1]!);
    expect({ ...del, command: 'add' }).toEqual(add);
    expect(w.blocks()[0]!.state).toBe('expired');
  });
});
