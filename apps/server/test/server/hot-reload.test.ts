// Ruleset hot reload: a broken rule file leaves the running engine in place (detection goes on)
// and is reported with file, line and column; a good change switches engines and keeps the
// correlation state of unchanged rules.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { makeApp, makeEnv, signIn, waitFor, type TestEnv } from './helpers.js';

function failed(n: number, ip = '203.0.113.9'): string {
  return `Mar  4 10:15:0${n % 10} web01 sshd[${2100 + n}]: Failed password for root from ${ip} port ${50000 + n} ssh2`;
}

describe('ruleset hot reload', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  afterEach(async () => {
    await app.close();
    env.cleanup();
  });

  const ingest = async (lines: string[]): Promise<number> => (await app.pipeline.ingest(lines.map((line) => ({ line, location: 'test', receivedAt: Date.now() })))).alerts;
  const levels = (): number[] => app.alerts.list({ limit: 100 }).items.reverse().map((a) => a.level);

  it('keeps detecting through a broken file, reports file:line:col, then switches on the fix keeping state', async () => {
    env = makeEnv({ copyRuleset: true });
    app = await makeApp(env);
    const rulesFile = path.join(env.dir, 'ruleset', 'rules', 'test_rules.xml');
    const good = readFileSync(rulesFile, 'utf8');

    await ingest([failed(1), failed(2), failed(3)]);
    expect(levels()).toEqual([5, 5, 5]);

    // A typo in the root rule's start tag: an attribute without a value.
    const lines = good.split('\n');
    const at = lines.findIndex((l) => l.includes('<rule id="1"'));
    lines[at] = lines[at]!.replace('<rule id="1"', '<rule id="1" level=');
    writeFileSync(rulesFile, lines.join('\n'));
    await waitFor(() => !app.ruleset.status().ok, 5000, 'the failed reload');
    const status = app.ruleset.status();
    expect(status.errors[0]).toMatchObject({ file: rulesFile, line: at + 1 });
    expect(status.errors[0]!.column).toBeGreaterThan(0);
    const health = (await app.inject({ method: 'GET', url: '/api/health', headers: (await signIn(app, 'viewer')).headers })).json();
    expect(health.ruleset.last_error).toMatch(new RegExp(`^${rulesFile}:${at + 1}:\\d+: `));

    // Detection goes on with the old engine, its correlation state intact: the 5th attempt fires.
    await ingest([failed(4)]);
    expect(levels()).toEqual([5, 5, 5, 5]);

    // The fix, plus a new rule: the engine switches and the brute-force count carries over.
    writeFileSync(rulesFile, good.replace('</group>\n\n<group name="testapp,">', `  <rule id="100110" level="3">
    <if_sid>100100</if_sid>
    <match>^Accepted password</match>
    <description>sshd: accepted password</description>
  </rule>
</group>

<group name="testapp,">`));
    await waitFor(() => app.ruleset.status().ok && app.ruleset.status().rules === 7, 5000, 'the good reload');
    expect(app.ruleset.status().kept_rules).toBeGreaterThanOrEqual(6);
    await ingest([failed(5), 'Mar  4 10:16:00 web01 sshd[2200]: Accepted password for alice from 192.0.2.10 port 40000 ssh2']);
    expect(levels()).toEqual([5, 5, 5, 5, 10, 3]);
  });

  it('reloads on POST /api/ruleset/reload, answers 422 with the errors when broken, and audits it', async () => {
    env = makeEnv({ copyRuleset: true, portcullis: '<watch_ruleset>no</watch_ruleset>' });
    app = await makeApp(env);
    const admin = await signIn(app, 'admin');
    const decoders = path.join(env.dir, 'ruleset', 'decoders', 'test_decoders.xml');
    writeFileSync(decoders, readFileSync(decoders, 'utf8').replace('<decoder name="testapp">', '<decoder name="testapp">\n  <regex>(unclosed</regex>'));
    const res = await app.inject({ method: 'POST', url: '/api/ruleset/reload', headers: admin.headers });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ file: decoders, line: expect.any(Number), column: expect.any(Number) });
    expect(await ingest(['Mar  4 10:15:01 web1 testapp[1]: a seq=1 src=10.0.0.1'])).toBe(1);
    const audit = (await app.inject({ method: 'GET', url: '/api/audit?action=ruleset.reload_failed', headers: admin.headers })).json();
    expect(audit.items).toHaveLength(1);
  });
});
