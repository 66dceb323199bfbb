// A log test on the live ruleset names it by key: the files' text goes to a thread only when that
// thread has not compiled it yet (it was structured-cloned for every test: 22 s of the event loop
// in a 6-minute soak with a viewer testing back to back).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { makeApp, makeEnv, signIn, type TestEnv } from '../server/helpers.js';

let env: TestEnv;
let app: FastifyInstance;
const sent: boolean[] = [];

beforeAll(async () => {
  env = makeEnv();
  app = await makeApp(env);
  const pool = app.rulesetWorkers.logtest;
  const run = pool.run.bind(pool);
  pool.run = ((job: { ruleset?: { files?: unknown } }, ...rest: unknown[]) => {
    sent.push(job.ruleset?.files !== undefined);
    return (run as (...a: unknown[]) => Promise<unknown>)(job, ...rest);
  }) as typeof pool.run;
});

afterAll(async () => {
  await app.close();
  env.cleanup();
});

describe('log tests on the live ruleset', () => {
  it('send the ruleset to a thread once, then only its key', async () => {
    const viewer = await signIn(app, 'viewer');
    const lines = ['Dec  3 10:00:00 host sshd[1]: Failed password for root from 203.0.113.7 port 22 ssh2'];
    const answers = [];
    for (let i = 0; i < 6; i++) {
      const r = await app.inject({ method: 'POST', url: '/api/logtest', headers: viewer.headers, payload: { lines } });
      expect(r.statusCode).toBe(200);
      answers.push(r.json());
    }
    // Every answer is the same, and the files went at most once per thread (the pool has two).
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(sent.filter(Boolean).length).toBeLessThanOrEqual(2);
    expect(sent.filter((s) => !s).length).toBeGreaterThanOrEqual(6);
  });
});
