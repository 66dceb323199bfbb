// One request must not freeze the server (issue 9): a log test with a hostile draft (ten pcre2
// `\s+xK` rules, 100 lines of 6,100 characters) or a big rule file is compiled and run in a worker
// thread, over real HTTP on a listening app. Meanwhile /api/health answers; the test is stopped at
// its time limit, or as soon as its client goes away; drafts are for admins; input is capped.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogtestResponse, RulesetValidation } from '@portcullis/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE, SSHD_RULES, makeWorld, waitFor, type RulesWorld } from '../rules-api/helpers.js';

/** Ten rules whose pcre2 backtracks quadratically over a run of spaces. */
const HOSTILE_RULES = `<group name="hostile,">
${Array.from({ length: 10 }, (_, i) => `  <rule id="${190100 + i}" level="5">
    <if_sid>1</if_sid>
    <regex type="pcre2">\\s+xK</regex>
    <description>hostile ${i}</description>
  </rule>`).join('\n')}
</group>
`;

/** 100 syslog lines of 6,100 characters, mostly spaces. */
const LONG_LINES = Array.from({ length: 100 }, (_, i) => {
  const head = `Mar  4 10:15:01 web01 app[${1000 + i}]: a`;
  return `${head}${' '.repeat(6100 - head.length - 1)}y`;
});

/** A rule file of about `bytes`, every rule valid. */
function bigRuleFile(bytes: number): string {
  const rules: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const r = `  <rule id="${200000 + i}" level="3">\n    <if_sid>1</if_sid>\n    <match>generated needle ${i} in a haystack</match>\n    <description>generated rule ${i} for a size test</description>\n  </rule>\n`;
    rules.push(r);
    size += r.length;
  }
  return `<group name="generated,">\n${rules.join('')}</group>\n`;
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

describe('log tests and draft validation run off the event loop', () => {
  let w: RulesWorld;
  let port: number;
  /** Names of requests in the order their answers arrived. */
  let answered: string[];

  beforeAll(async () => {
    w = await makeWorld();
    await w.app.listen({ host: '127.0.0.1', port: 0 });
    port = (w.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => w.close());

  /** A real HTTP request; `started` gets the ClientRequest (to abort it). */
  function send(name: string, method: string, path: string, headers: Record<string, string>, body?: unknown, started?: (req: ReturnType<typeof httpRequest>) => void): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          answered.push(name);
          resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers });
        });
      });
      req.on('error', reject);
      started?.(req);
      req.end(payload);
    });
  }

  const health = () => send('health', 'GET', '/api/health', {});
  const hostileDraft = () => ({ path: SSHD_RULES, content: `${w.home.read(SSHD_RULES)}\n${HOSTILE_RULES}` });

  it('answers /api/health while a hostile draft log test runs, and stops the test at its time limit', async () => {
    answered = [];
    const pool = w.app.rulesetWorkers.logtest;
    const test = send('logtest', 'POST', '/api/logtest', w.admin.headers, { lines: LONG_LINES, draft: hostileDraft() });
    await waitFor(() => pool.stats().running === 1, 10_000, 'the log test to start in a worker');
    const h = await health();
    expect(h.status).toBe(200);
    const t = await test;
    expect(answered).toEqual(['health', 'logtest']);
    expect(t.status).toBe(503);
    expect(JSON.parse(t.body)).toEqual({ error: { code: 'LOGTEST_TIMEOUT', message: 'the log test took longer than its limit of 10 s and was stopped' } });
    expect(pool.stats()).toMatchObject({ running: 0, threads: 0, timedOut: 1 });
  });

  it('terminates the worker when the client goes away', async () => {
    const pool = w.app.rulesetWorkers.logtest;
    const before = pool.stats();
    let req: ReturnType<typeof httpRequest> | null = null;
    const test = send('logtest', 'POST', '/api/logtest', w.admin.headers, { lines: LONG_LINES, draft: hostileDraft() }, (r) => (req = r));
    await waitFor(() => pool.stats().running === 1, 10_000, 'the log test to start in a worker');
    req!.destroy();
    await expect(test).rejects.toThrow();
    await waitFor(() => pool.stats().threads === 0, 10_000, 'the worker to be terminated');
    expect(pool.stats()).toMatchObject({ running: 0, aborted: before.aborted + 1, timedOut: before.timedOut });
  });

  it('gives a normal draft test the same answer as before, in a worker that is then reused', async () => {
    const content = w.home.read(SSHD_RULES).replace('<rule id="5720" level="10" frequency="5"', '<rule id="5720" level="10" frequency="3"');
    const r = await send('draft', 'POST', '/api/logtest', w.admin.headers, { lines: EXAMPLE, time: 'log', draft: { path: SSHD_RULES, content } });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as LogtestResponse;
    expect(body.ruleset).toBe('draft');
    expect(body.replay.blocks.map((b) => b.line)).toEqual([3]);
    const live = await send('live', 'POST', '/api/logtest', w.viewer.headers, { lines: EXAMPLE, time: 'log' });
    expect((JSON.parse(live.body) as LogtestResponse).replay.blocks.map((b) => b.line)).toEqual([5]);
    expect(w.app.rulesetWorkers.logtest.stats()).toMatchObject({ running: 0, threads: 1 });
  });

  it('lets only admins test a draft; a viewer tests the live ruleset', async () => {
    const denied = await send('viewer-draft', 'POST', '/api/logtest', w.viewer.headers, { lines: EXAMPLE, draft: { path: SSHD_RULES, content: w.home.read(SSHD_RULES) } });
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body).error).toMatchObject({ code: 'DRAFT_NEEDS_ADMIN', message: expect.stringContaining('admin role; you have viewer') });
    const live = await send('viewer-live', 'POST', '/api/logtest', w.viewer.headers, { lines: EXAMPLE });
    expect(live.status).toBe(200);
  });

  it('refuses too many lines, a line over OSSEC\'s cut and a body over the limit, naming the value and the limit', async () => {
    const many = await send('many', 'POST', '/api/logtest', w.viewer.headers, { lines: Array.from({ length: 1001 }, () => EXAMPLE[0]) });
    expect(many.status).toBe(413);
    expect(JSON.parse(many.body).error).toEqual({ code: 'LOGTEST_TOO_MANY_LINES', message: 'lines: 1001 lines; a log test takes at most 1000 lines' });

    const long = await send('long', 'POST', '/api/logtest', w.viewer.headers, { lines: [EXAMPLE[0], 'x'.repeat(6136)] });
    expect(long.status).toBe(413);
    expect(JSON.parse(long.body).error).toEqual({ code: 'LOGTEST_LINE_TOO_LONG', message: "lines[1] (line 2): 6136 bytes; a log line may have at most 6135 bytes (OSSEC's cut)" });

    const huge = await send('huge', 'POST', '/api/logtest', w.viewer.headers, { lines: Array.from({ length: 400 }, () => 'y'.repeat(6000)) });
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body).error).toMatchObject({ code: 'BODY_TOO_LARGE', message: expect.stringMatching(/^the request body is larger than 2 MiB, the limit of POST \/api\/logtest/) });
    expect(w.app.rulesetWorkers.logtest.stats().running).toBe(0);
  });

  it('refuses a 3.8 MB rule file with the limit named, and validates a 1 MB one in a worker while /api/health answers', async () => {
    answered = [];
    const tooBig = await send('too-big', 'POST', '/api/ruleset/validate', w.admin.headers, { path: SSHD_RULES, content: bigRuleFile(3_800_000) });
    expect(tooBig.status).toBe(413);
    expect(JSON.parse(tooBig.body).error).toMatchObject({ code: 'BODY_TOO_LARGE', message: expect.stringContaining('a rule or decoder file may have at most 1 MiB') });
    const overCap = await send('over-cap', 'POST', '/api/ruleset/validate', w.admin.headers, { path: SSHD_RULES, content: bigRuleFile(1_100_000) });
    expect(overCap.status).toBe(413);
    expect(JSON.parse(overCap.body).error).toMatchObject({ code: 'RULE_FILE_TOO_LARGE', message: expect.stringMatching(/^content: rules\/rules\/0300-sshd\.xml is 11\d{5} bytes; a rule or decoder file may have at most 1 MiB/) });

    answered = [];
    const pool = w.app.rulesetWorkers.validation;
    const content = `${w.home.read(SSHD_RULES)}\n${bigRuleFile(1_000_000)}`;
    const validation = send('validate', 'POST', '/api/ruleset/validate', w.admin.headers, { path: SSHD_RULES, content });
    await waitFor(() => pool.stats().running === 1, 10_000, 'the validation to start in a worker');
    expect((await health()).status).toBe(200);
    const v = await validation;
    expect(answered).toEqual(['health', 'validate']);
    expect(v.status).toBe(200);
    const result = JSON.parse(v.body) as RulesetValidation;
    expect(result).toMatchObject({ ok: true, errors: [] });
    expect(result.rules).toBeGreaterThan(5000);
  });
});
