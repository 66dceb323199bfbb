// Level tuning as an override layer (design decision 4): an override changes what the next line
// alerts at without touching the file, comes off again, keeps correlation state, survives a
// reload, and is flagged stale when the rule under it changes (orphaned when it disappears).
import type { RuleDetail, RuleList, RuleOverride } from '@portcullis/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { loadContext, newEngine } from '../../src/cli/context.js';
import { storedOverrides } from '../../src/cli/stored-overrides.js';
import { applyOverrides } from '../../src/pipeline/rule-overrides.js';
import { SSHD_RULES, makeWorld, sshFailures, type RulesWorld } from './helpers.js';

describe('rule overrides', () => {
  let w: RulesWorld;
  afterEach(async () => w.close());

  const put = (id: number, body: object) => w.app.inject({ method: 'PUT', url: `/api/rules/${id}/override`, headers: w.admin.headers, payload: body });
  const del = (id: number) => w.app.inject({ method: 'DELETE', url: `/api/rules/${id}/override`, headers: w.admin.headers });
  const rule = async (id: number) => (await w.app.inject({ method: 'GET', url: `/api/rules/${id}`, headers: w.viewer.headers })).json() as RuleDetail;

  it('tunes 5716 to level 7: the next line alerts at 7, the file is untouched; removing it brings 5 back', async () => {
    w = await makeWorld();
    const file = w.home.read(SSHD_RULES);
    const list = (await w.app.inject({ method: 'GET', url: '/api/rules', headers: w.viewer.headers })).json() as RuleList;
    expect(list.items.find((r) => r.id === 5716)).toMatchObject({ level: 5, base_level: 5, overridden: false, file: SSHD_RULES, parents: [5700] });

    const res = await put(5716, { level: 7, note: 'root failures matter more here' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rule_id: 5716, level: 7, disabled: false, stale: false, updated_by: expect.stringMatching(/^admin/) });
    const tuned = await rule(5716);
    expect(tuned).toMatchObject({ level: 7, base_level: 5, overridden: true, stale_override: false, override: { level: 7, note: 'root failures matter more here' } });
    expect(tuned.chain.map((c) => c.id)).toEqual([1, 5700]);

    await w.ingest(sshFailures('192.0.2.10', 1));
    expect(w.alerts(1)[0]).toMatchObject({ rule_id: 5716, level: 7 });
    expect(w.home.read(SSHD_RULES)).toBe(file);

    expect((await del(5716)).statusCode).toBe(200);
    expect(await rule(5716)).toMatchObject({ level: 5, overridden: false, override: null });
    await w.ingest(sshFailures('192.0.2.11', 1));
    expect(w.alerts(1)[0]).toMatchObject({ rule_id: 5716, level: 5 });
    expect((await del(5716)).statusCode).toBe(404);

    const audit = (await w.app.inject({ method: 'GET', url: '/api/audit?limit=10', headers: w.admin.headers })).json() as { items: Array<{ action: string; before: unknown; after: unknown }> };
    const actions = audit.items.map((a) => a.action);
    expect(actions).toContain('rule.override');
    expect(actions).toContain('rule.override_delete');
    expect(audit.items.find((a) => a.action === 'rule.override')).toMatchObject({ before: { level: 5 }, after: { level: 7 } });
  });

  it('keeps the brute-force count across an override, and a threshold override changes when it fires', async () => {
    w = await makeWorld();
    await w.ingest(sshFailures('203.0.113.20', 3));
    expect((await put(5716, { level: 6, note: 'a bit louder' })).statusCode).toBe(200);
    await w.ingest(sshFailures('203.0.113.20', 2));
    expect(w.alerts(2).map((a) => [a.rule_id, a.level])).toEqual([[5720, 10], [5716, 6]]);

    expect((await put(5720, { frequency: 3, note: 'three are enough' })).statusCode).toBe(200);
    expect(await rule(5720)).toMatchObject({ frequency: 5, override: { frequency: 3 } });
    await w.ingest(sshFailures('203.0.113.21', 3));
    expect(w.alerts(1)[0]).toMatchObject({ rule_id: 5720, srcip: '203.0.113.21' });
  });

  it('disables a rule: it never matches, and comes back when the override goes', async () => {
    w = await makeWorld();
    expect((await put(5716, { disabled: true, note: 'too noisy' })).statusCode).toBe(200);
    expect(await rule(5716)).toMatchObject({ disabled: true, level: 5 });
    await w.ingest(sshFailures('192.0.2.30', 1));
    expect(w.alerts().some((a) => a.rule_id === 5716)).toBe(false);
    await del(5716);
    await w.ingest(sshFailures('192.0.2.31', 1));
    expect(w.alerts(1)[0]).toMatchObject({ rule_id: 5716 });
  });

  it('refuses an empty override, a threshold on a rule that does not correlate, and an unknown rule', async () => {
    w = await makeWorld();
    expect((await put(5716, { note: 'nothing' })).json().error.code).toBe('EMPTY_OVERRIDE');
    const r = await put(5716, { frequency: 3, note: 'no' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('NOT_CORRELATION');
    expect((await put(999999, { level: 3, note: 'x' })).statusCode).toBe(404);
    expect((await put(5716, { level: 17, note: 'x' })).statusCode).toBe(400);
    expect((await put(5716, { level: 3 })).statusCode).toBe(400);
  });

  it('is kept across a reload and flagged stale when the rule text changes; orphaned when the rule goes', async () => {
    w = await makeWorld();
    await put(5716, { level: 7, note: 'tuned' });
    await put(5761, { level: 2, note: 'rarely matters' });
    const file = w.home.read(SSHD_RULES);
    // An upgrade of the file: 5716's description changes, 5761 is gone.
    const upgraded = file.replace('sshd: failed password for', 'sshd: wrong password for').replace(/\s*<rule id="5761"[\s\S]*?<\/rule>/, '');
    expect(upgraded).not.toBe(file);
    w.home.write(SSHD_RULES, upgraded);
    expect(w.app.ruleset.reload('test').ok).toBe(true);

    const tuned = await rule(5716);
    expect(tuned).toMatchObject({ level: 7, base_level: 5, stale_override: true, override: { stale: true, level: 7 } });
    await w.ingest(sshFailures('192.0.2.40', 1));
    expect(w.alerts(1)[0]).toMatchObject({ rule_id: 5716, level: 7, description: expect.stringContaining('wrong password') });

    const all = (await w.app.inject({ method: 'GET', url: '/api/rule-overrides', headers: w.viewer.headers })).json() as { items: RuleOverride[] };
    expect(all.items.map((o) => [o.rule_id, o.stale, o.orphaned])).toEqual([[5716, true, false], [5761, false, true]]);

    // Saving it again against the new text clears the flag.
    await put(5716, { level: 7, note: 'checked against the new rule' });
    expect((await rule(5716)).stale_override).toBe(false);
  });

  it('is read by the CLI (logtest, replay) from the server database, so a line gets the same level', async () => {
    w = await makeWorld();
    await put(5716, { level: 7, note: 'louder' });
    const { overrides, db } = storedOverrides(w.home.configPath);
    expect(db).toMatch(/portcullis\.db$/);
    expect(overrides).toEqual([{ ruleId: 5716, level: 7, disabled: false, frequency: null, timeframe: null }]);
    const ctx = loadContext({ config: w.home.configPath });
    applyOverrides(ctx.ruleset, overrides);
    const r = newEngine(ctx).processOne(sshFailures('192.0.2.60', 1)[0]!, 'stdin', Date.now() / 1000);
    expect(r.alertRule).toMatchObject({ id: 5716, level: 7 });
  });
});
