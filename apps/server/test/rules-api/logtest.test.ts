// The dashboard's log test: the three phases for each pasted line, and the replay's "would this
// block, and when?" for the paste, against the live ruleset (overrides included) or a draft.
import type { LogtestResponse, RulesetValidation } from '@portcullis/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, SSHD_RULES, makeWorld, type RulesWorld } from './helpers.js';

describe('POST /api/logtest', () => {
  let w: RulesWorld;
  beforeAll(async () => {
    w = await makeWorld();
  });
  afterAll(async () => w.close());

  const run = (body: object, headers = w.viewer.headers) => w.app.inject({ method: 'POST', url: '/api/logtest', headers, payload: body });

  it('gives the three phases of each line and says the brute force would block, when and for how long', async () => {
    const res = await run({ lines: EXAMPLE, time: 'log', year: 2026 });
    expect(res.statusCode).toBe(200);
    const r = res.json() as LogtestResponse;
    expect(r.ruleset).toBe('live');
    expect(r.results).toHaveLength(6);
    const first = r.results[0]!;
    expect(first).toMatchObject({
      line: 1,
      processed: true,
      predecode: { hostname: 'web01', program_name: 'sshd', timestamp: 'Mar  4 10:15:01', log: expect.stringMatching(/^Failed password for root/) },
      decode: { decoder: 'sshd', fields: { srcip: '203.0.113.9', dstuser: 'root' } },
      rule: { id: 5716, level: 5, chain: [1, 5700, 5716], groups: expect.arrayContaining(['authentication_failed']) },
      alert: true,
    });
    expect(r.results[4]!.rule).toMatchObject({ id: 5720, level: 10, correlation: expect.stringMatching(/^frequency 5 in 600 s/) });
    expect(r.results[5]!.rule?.id).not.toBe(5716);

    expect(r.replay.lines).toBe(6);
    expect(r.replay.alerts['5716']).toBeGreaterThanOrEqual(2);
    expect(r.replay.alerts['5720']).toBe(1);
    expect(r.replay.blocks).toEqual([
      { ip: '203.0.113.9', at: expect.stringMatching(/^2026-03-04T10:15:15/), rule_id: 5720, command: 'record', timeout: 600, release_at: expect.stringMatching(/^2026-03-04T10:25:15/), line: 5 },
    ]);
    // Nothing stored, no script run.
    expect(w.alerts()).toEqual([]);
    expect(w.home.arCalls()).toEqual([]);
  });

  it('skips an empty line without phases, and at the time of the test the count still fires', async () => {
    const r = (await run({ lines: ['x', ...EXAMPLE.slice(0, 5)] })).json() as LogtestResponse;
    expect(r.results[0]).toMatchObject({ line: 1, processed: false, rule: null, alert: false });
    expect(r.replay.blocks).toHaveLength(1);
    expect(r.replay.blocks[0]!.line).toBe(6);
  });

  it('says why a white-listed address would not be blocked', async () => {
    const add = await w.app.inject({ method: 'POST', url: '/api/whitelist', headers: w.admin.headers, payload: { value: '203.0.113.0/24', note: 'test' } });
    const r = (await run({ lines: EXAMPLE, time: 'log' })).json() as LogtestResponse;
    expect(r.replay.blocks).toEqual([]);
    expect(r.replay.refused).toEqual([expect.objectContaining({ ip: '203.0.113.9', rule_id: 5720, reason: expect.stringContaining('203.0.113.0/24') })]);
    await w.app.inject({ method: 'DELETE', url: `/api/whitelist/${add.json().id}`, headers: w.admin.headers });
  });

  it('applies the overrides in force', async () => {
    await w.app.inject({ method: 'PUT', url: '/api/rules/5716/override', headers: w.admin.headers, payload: { level: 7, note: 'louder' } });
    const r = (await run({ lines: EXAMPLE.slice(0, 1) })).json() as LogtestResponse;
    expect(r.results[0]!.rule).toMatchObject({ id: 5716, level: 7 });
    await w.app.inject({ method: 'DELETE', url: '/api/rules/5716/override', headers: w.admin.headers });
    const again = (await run({ lines: EXAMPLE.slice(0, 1) })).json() as LogtestResponse;
    expect(again.results[0]!.rule).toMatchObject({ id: 5716, level: 5 });
  });

  it('runs a draft of one file for an admin (nothing saved), and answers 422 with the errors of a broken draft', async () => {
    const admin = (body: object) => run(body, w.admin.headers);
    const content = w.home.read(SSHD_RULES);
    const draft = content.replace('<rule id="5720" level="10" frequency="5"', '<rule id="5720" level="10" frequency="3"');
    expect(draft).not.toBe(content);
    const r = (await admin({ lines: EXAMPLE, time: 'log', draft: { path: SSHD_RULES, content: draft } })).json() as LogtestResponse;
    expect(r.ruleset).toBe('draft');
    expect(r.replay.blocks.map((b) => b.line)).toEqual([3]);
    expect(w.home.read(SSHD_RULES)).toBe(content);

    const bad = await admin({ lines: EXAMPLE, draft: { path: SSHD_RULES, content: `<group name="x"\n${content}` } });
    expect(bad.statusCode).toBe(422);
    expect((bad.json() as RulesetValidation).errors[0]).toMatchObject({ file: SSHD_RULES, line: 2 });
    expect((await admin({ lines: EXAMPLE, draft: { path: 'etc/portcullis.conf', content: '' } })).statusCode).toBe(404);
  });

  it('needs a signed-in user and at least one line', async () => {
    expect((await w.app.inject({ method: 'POST', url: '/api/logtest', payload: { lines: EXAMPLE } })).statusCode).toBe(401);
    expect((await run({ lines: [] })).statusCode).toBe(400);
  });
});
