// The built CLI as real processes: a server killed with SIGKILL in the middle of a stream,
// restarted, killed again, and `user add` reading the password from stdin. For the kills:
// the alerts and the file position commit together, so every line gives exactly one alert.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, makeEnv, syslogLine, waitFor, sleep, type TestEnv } from './helpers.js';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function startServer(env: TestEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(serverDir, 'bin', 'portcullis.js'), 'start', '--config', env.configPath, '--data', env.dataDir, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORTCULLIS_LOG_LEVEL: 'warn' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 15_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('Portcullis is running')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

describe('SIGKILL mid-stream', () => {
  let env: TestEnv;
  beforeAll(() => {
    // The child runs the built CLI: build it from the sources under test.
    // Type errors elsewhere in the tree do not stop tsc from emitting, so its status is not checked.
    spawnSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: serverDir, stdio: 'ignore' });
  }, 120_000);
  afterAll(() => env?.cleanup());

  it('loses no line and repeats none across three kills', async () => {
    env = makeEnv({ files: ['stream.log'] });
    const log = path.join(env.dir, 'stream.log');
    writeFileSync(log, '');
    // The first start reads an existing file from its end (as tail does): write only once it runs.
    let child = await startServer(env);
    let seq = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        let chunk = '';
        for (let i = 0; i < 100; i++) chunk += `${syslogLine(`event seq=${++seq} src=10.1.0.${seq % 250}`)}\n`;
        appendFileSync(log, chunk);
        await sleep(10);
      }
    })();

    for (let kill = 0; kill < 3; kill++) {
      await sleep(300 + kill * 150);
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await sleep(100); // lines keep coming while the server is down
      child = await startServer(env);
    }
    await sleep(300);
    writing = false;
    await writer;

    const db = new Database(path.join(env.dataDir, 'portcullis.db'), { readonly: true });
    try {
      const count = (): number => db.prepare('SELECT COUNT(*) FROM alerts').pluck().get() as number;
      // Judge once the server has caught up: the count has stopped moving.
      let last = -1;
      await waitFor(async () => {
        const now = count();
        if (now === last && now > 0) return true;
        last = now;
        await sleep(700);
        return false;
      }, 60_000, 'the server to catch up');
      const seqs = (db.prepare("SELECT json_extract(fields, '$.id') FROM alerts").pluck().all() as string[]).map(Number);
      const dupes = seqs.length - new Set(seqs).size;
      expect(dupes, 'alerts stored twice').toBe(0);
      expect(seqs.length).toBe(seq);
      expect(new Set(seqs)).toEqual(new Set(Array.from({ length: seq }, (_, i) => i + 1)));
      expect(seq).toBeGreaterThan(10_000);
    } finally {
      db.close();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 120_000);
});

describe('portcullis user add', () => {
  it('creates the first admin with the password from stdin, who can then sign in', async () => {
    const env = makeEnv();
    try {
      const run = (args: string[], input: string) =>
        spawnSync(process.execPath, [path.join(serverDir, 'bin', 'portcullis.js'), 'user', ...args, '--config', env.configPath, '--data', env.dataDir], { input, encoding: 'utf8' });
      const added = run(['add', 'root', '--role', 'admin'], 'root-password-1\n');
      expect(added.stderr).toBe('');
      expect(added.stdout).toContain('user root (admin) created');
      expect(run(['add', 'root', '--role', 'admin'], 'root-password-1\n').stderr).toContain('exists');
      expect(run(['add', 'short', '--role', 'viewer'], 'tiny\n').status).toBe(2);
      expect(run(['list'], '').stdout).toBe('root\tadmin\n');
      const app = await makeApp(env);
      try {
        const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'root', password: 'root-password-1' } });
        expect(res.json().user).toMatchObject({ username: 'root', role: 'admin' });
        expect(app.accounts.setupRequired()).toBe(false);
      } finally {
        await app.close();
      }
    } finally {
      env.cleanup();
    }
  });
});
