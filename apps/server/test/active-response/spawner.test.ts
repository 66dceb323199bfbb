// Scripts start from the spawner thread (workers/spawner.ts) in the server: the same outcomes as a
// run in the calling thread (exit code, output, stdin, the check_keys handshake, the time limit
// killing the script and what it started), many at once, and a clear failure after close.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnRun, type SpawnJob } from '../../src/modules/active-response/spawn-run.js';
import { ThreadSpawner } from '../../src/workers/spawner.js';

const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-spawner-'));
const script = path.join(dir, 'echo.sh');
writeFileSync(script, `#!/bin/sh
case "$1" in
  add) read -r msg; echo '{"version":1,"origin":{"name":"x","module":"active-response"},"command":"check_keys","parameters":{"keys":["1.2.3.4"]}}'; read -r answer; echo "got $msg / $answer"; exit 0 ;;
  fail) echo "broken" >&2; exit 3 ;;
  hang) sleep 30 & sleep 30 ;;
  *) echo "args: $*" ;;
esac
`);
chmodSync(script, 0o755);
const job = (argv: string[], extra: Partial<SpawnJob> = {}): SpawnJob => ({
  file: script, argv, stdin: null, handshake: false, cwd: dir, env: { PATH: process.env.PATH }, timeoutMs: 10_000, handshakeMs: 5_000, maxOutput: 1024, ...extra,
});
const spawner = new ThreadSpawner();

afterAll(async () => {
  await spawner.close();
  rmSync(dir, { recursive: true, force: true });
});

const comparable = (o: Awaited<ReturnType<typeof spawnRun>>): object => ({ exitCode: o.exitCode, signal: o.signal, timedOut: o.timedOut, stdout: o.stdout, stderr: o.stderr, error: o.error });

describe('the spawner thread', () => {
  it('gives the same outcomes as a run in this thread', async () => {
    const jobs = [
      job(['delete', '-', '10.0.0.1']),
      job(['fail']),
      job(['add'], { stdin: '{"command":"add"}', handshake: true }),
    ];
    for (const j of jobs) expect(comparable(await spawner.run(j))).toEqual(comparable(await spawnRun(j)));
    expect((await spawner.run(jobs[2]!)).stdout).toMatch(/^got \{"command":"add"\} \/ \{.*"command":"continue"/m);
    // Over its time limit: killed with what it started (whether the exit code or the signal is seen first varies).
    const hang = await spawner.run(job(['hang'], { timeoutMs: 300 }));
    expect(hang).toMatchObject({ timedOut: true, error: 'killed after 300 ms' });
  });

  it('runs many at once', async () => {
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => spawner.run(job(['x', String(i)]))));
    expect(outcomes.map((o) => o.stdout.trim())).toEqual(Array.from({ length: 12 }, (_, i) => `args: x ${i}`));
  });

  it('says why after it was closed, without throwing', async () => {
    const s = new ThreadSpawner();
    expect((await s.run(job(['y']))).stdout.trim()).toBe('args: y');
    await s.close();
    expect((await s.run(job(['y']))).error).toMatch(/shutting down/);
  });
});
