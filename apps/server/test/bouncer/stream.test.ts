// The decisions stream's semantics: one entry per value with the longest end, a removal only when
// nothing else covers the value, a changed end as deleted + new, filters, startup = the full set,
// until-released bans refreshed before ipset's limit, and a restart that loses and repeats nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { CAP_MS } from '../../src/modules/bouncer/decision-stream.js';
import { goDuration, parseGoDuration } from '../../src/modules/bouncer/go-duration.js';
import { attack } from '../active-response/helpers.js';
import { makeHostsWorld, type HostsWorld } from './world.js';

let w: HostsWorld | null = null;
afterEach(async () => {
  await w?.close();
  w?.cleanup();
  w = null;
});

const TWO = `<command><name>short</name><executable>fake-ar</executable><timeout_allowed>yes</timeout_allowed></command>
<command><name>long</name><executable>fake-ar</executable><timeout_allowed>yes</timeout_allowed></command>
<active-response><command>short</command><location>local</location><rules_group>portcullis_block,</rules_group><timeout>60</timeout></active-response>
<active-response><command>long</command><location>local</location><rules_group>portcullis_block,</rules_group><timeout>3600</timeout></active-response>`;

describe('Go durations', () => {
  it('writes whole seconds as time.Duration.String() does and reads them back', () => {
    expect([goDuration(14_399_000), goDuration(59_001), goDuration(0), goDuration(-1500), goDuration(87600 * 3600_000)]).toEqual(['3h59m59s', '1m0s', '0s', '-2s', '87600h0m0s']);
    expect([parseGoDuration('3h59m59s'), parseGoDuration('1500ms'), parseGoDuration('-2s'), parseGoDuration('4 h')]).toEqual([14_399_000, 1500, -2000, null]);
  });
});

describe('decisions stream', () => {
  it('sends one entry per value (the longest), and a removal only when nothing else blocks it', async () => {
    w = makeHostsWorld(['web1'], { config: TWO });
    w.feedFrom('web1', attack('198.51.100.20'));
    await w.settle();
    const [short, long] = w.blocks();
    const first = w.poll('web1', true);
    expect(first.new).toEqual([{ id: long!.id, origin: 'portcullis', type: 'ban', scope: 'Ip', value: '198.51.100.20', duration: '1h0m0s', scenario: 'portcullis/rule-100301', simulated: false, until: new Date(w.clock.now + 3600_000).toISOString() }]);
    expect(first.deleted).toBeNull();
    // the short one ends: the long one still blocks, nothing to tell
    w.advance(61_000);
    await w.settle();
    expect(w.block(short!.id).state).toBe('expired');
    expect(w.poll('web1')).toEqual({ new: null, deleted: null });
    // releasing the long one removes the value
    await w.ar.manual.release(long!.id, { reason: 'ok' }, { name: 'alice', ip: null });
    expect(w.poll('web1')).toMatchObject({ new: null, deleted: [{ id: long!.id, value: '198.51.100.20' }] });
    expect(w.deliveries(short!.id)[0]).toMatchObject({ removed_at: expect.any(Number) });
  });

  it('shortens with deleted + new when the longest block is released early and another still blocks', async () => {
    w = makeHostsWorld(['web1'], { config: TWO });
    w.feedFrom('web1', attack('198.51.100.21'));
    await w.settle();
    const [short, long] = w.blocks();
    w.poll('web1', true);
    await w.ar.manual.release(long!.id, { reason: 'ok' }, { name: 'alice', ip: null });
    const a = w.poll('web1');
    expect(a.deleted!.map((d) => d.id)).toEqual([long!.id]);
    expect(a.new!.map((d) => [d.id, d.duration])).toEqual([[short!.id, '1m0s']]);
  });

  it('applies scopes, origins and scenario filters', async () => {
    w = makeHostsWorld(['web1'], { config: TWO });
    w.feedFrom('web1', attack('198.51.100.22'));
    await w.settle();
    const f = { scopes: ['ip', 'range'], origins: null, scenariosContaining: [], scenariosNotContaining: [] };
    expect(w.stream.answer(w.ids.get('web1')!, true, w.clock.now, { ...f, scopes: ['range'] }).body.new).toBeNull();
    expect(w.stream.answer(w.ids.get('web1')!, true, w.clock.now, { ...f, origins: ['crowdsec', 'cscli'] }).body.new).toBeNull();
    expect(w.stream.answer(w.ids.get('web1')!, true, w.clock.now, { ...f, scenariosNotContaining: ['rule-100301'] }).body.new).toBeNull();
    expect(w.stream.answer(w.ids.get('web1')!, true, w.clock.now, { ...f, scenariosContaining: ['portcullis/'], origins: ['portcullis'] }).body.new).toHaveLength(1);
  });

  it('startup=true sends the full set again (a restarted bouncer), deltas after it', async () => {
    w = makeHostsWorld(['web1'], { config: TWO });
    w.feedFrom('web1', attack('198.51.100.23'), attack('198.51.100.24'));
    await w.settle();
    expect(w.poll('web1', true).new).toHaveLength(2);
    expect(w.poll('web1')).toEqual({ new: null, deleted: null });
    expect(w.poll('web1', true).new!.map((d) => d.value)).toEqual(['198.51.100.23', '198.51.100.24']);
    expect(w.poll('web1')).toEqual({ new: null, deleted: null });
  });

  it('sends an until-released block for 596 h and again before half of that has run out', async () => {
    w = makeHostsWorld(['web1'], { config: `<command><name>fake</name><executable>fake-ar</executable><timeout_allowed>yes</timeout_allowed></command>
      <active-response><command>fake</command><location>local</location><rules_group>portcullis_block,</rules_group></active-response>` });
    w.feedFrom('web1', attack('198.51.100.25'));
    await w.settle();
    expect(w.poll('web1', true).new!.map((d) => d.duration)).toEqual(['596h0m0s']);
    w.clock.now += CAP_MS / 2 - 60_000;
    expect(w.poll('web1')).toEqual({ new: null, deleted: null });
    w.clock.now += 120_000;
    const a = w.poll('web1');
    expect(a.deleted!.map((d) => d.value)).toEqual(['198.51.100.25']);
    expect(a.new!.map((d) => d.duration)).toEqual(['596h0m0s']);
    expect(w.poll('web1')).toEqual({ new: null, deleted: null });
  });

  it('after a server restart: what changed while it was down is sent once, nothing else again', async () => {
    w = makeHostsWorld(['web1'], { config: TWO });
    w.feedFrom('web1', attack('198.51.100.26'), attack('198.51.100.27'));
    await w.settle();
    w.poll('web1', true);
    const [, long26] = w.blocks();
    const dir = w.dir;
    const now = w.clock.now;
    await w.close();
    // restarted an hour and a bit later: everything expired meanwhile
    w = makeHostsWorld([], { dir, startAt: now + 3601_000, config: TWO });
    await w.settle();
    w.ids.set('web1', w.hosts.byName('web1')!.id);
    expect(w.block(long26!.id).state).toBe('expired');
    const a = w.poll('web1');
    expect(a.new).toBeNull();
    expect(a.deleted!.map((d) => d.value).sort()).toEqual(['198.51.100.26', '198.51.100.27']);
    expect(w.poll('web1')).toEqual({ new: null, deleted: null });
  });

  it('an answer that was not written changes nothing: the next poll sends it again', async () => {
    w = makeHostsWorld(['web1'], { config: TWO });
    w.feedFrom('web1', attack('198.51.100.28'));
    await w.settle();
    const lost = w.stream.answer(w.ids.get('web1')!, false, w.clock.now);
    expect(lost.body.new).toHaveLength(1);
    lost.abandon();
    expect(w.poll('web1').new!.map((d) => d.value)).toEqual(['198.51.100.28']);
    expect(w.deliveries(w.blocks()[1]!.id)[0]!.added_at).toBe(w.clock.now);
    expect(w.poll('web1')).toEqual({ new: null, deleted: null });
  });
});
