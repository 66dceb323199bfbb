// Readiness in the running server: the start banner (the built CLI, and in colour for a terminal)
// and GET /api/health — status only for anonymous callers, the readiness report for viewers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { shippedActiveResponse } from '../../src/paths.js';
import { signIn } from '../server/helpers.js';
import { buildCli, cli, makeHome, type Home } from './helpers.js';

let home: Home | null = null;
let child: ChildProcess | null = null;
let app: FastifyInstance | null = null;
afterEach(async () => {
  child?.kill('SIGKILL');
  child = null;
  await app?.close();
  app = null;
  home?.cleanup();
  home = null;
});

const broken = (): Home => makeHome({ logs: ['auth.log'], portcullis: '<active_response_dir>scripts</active_response_dir><journald>no</journald><watch_ruleset>no</watch_ruleset>' });

/**
 * Runs `portcullis start` (on a terminal: under script(1), which gives it a pseudo-terminal) and
 * resolves with its output once the banner is printed (`until` seen).
 */
function start(h: Home, o: { terminal?: boolean; until?: string } = {}): Promise<{ out: string; url: string }> {
  const argv = [cli, 'start', '--config', h.config, '--data', path.join(h.dir, 'data'), '--listen', '127.0.0.1:0'];
  const env = { ...process.env, PORTCULLIS_LOG_LEVEL: 'silent' };
  child = o.terminal
    ? spawn('script', ['-qfec', [process.execPath, ...argv].map((a) => `'${a}'`).join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const until = o.until ?? 'fix: ';
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no banner:\n${out}`)), 20_000);
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /running at (http:\/\/\S+)/.exec(out)?.[1];
      if (url && out.includes(until)) {
        clearTimeout(timer);
        resolve({ out, url });
      }
    });
    child!.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
}

describe('the start banner', () => {
  beforeAll(() => buildCli(), 120_000);

  it('says plainly that active response will not run, and the server still starts', async () => {
    home = broken();
    const { out, url } = await start(home);
    expect(out).toContain(`ACTIVE RESPONSE WILL NOT RUN: <command> firewall-drop (${home.config}:2): the active-response directory ${path.join(home.dir, 'scripts')}`);
    expect(out).toContain(`warning: ${path.join(home.dir, 'auth.log')} is not there yet; it will be read when it appears`);
    expect(out).not.toContain('\x1b['); // not a terminal: no colour codes
    // detection still runs: the server answers, degraded, and tells an anonymous caller no paths
    const res = await fetch(`${url}/api/health`);
    expect(await res.json()).toEqual({ status: 'degraded', setup_required: true });
  });

  it('lists the script and backend it would use when all is well', async () => {
    home = makeHome({ portcullis: '<journald>no</journald><watch_ruleset>no</watch_ruleset>' });
    const { out } = await start(home, { until: 'sign in' });
    expect(out).toContain(`responses  scripts (run as root) from ${shippedActiveResponse} (the shipped scripts)`);
    expect(out).toMatch(new RegExp(`firewall-drop {2}${path.join(shippedActiveResponse, 'firewall-drop.sh')} {2}\\((nftables|iptables)`));
    expect(out).not.toContain('WILL NOT RUN');
  });

  it('is red on a terminal', async () => {
    home = broken();
    const { out } = await start(home, { terminal: true });
    expect(out).toContain('\x1b[1m\x1b[31mACTIVE RESPONSE WILL NOT RUN: ');
  });
});

describe('GET /api/health', () => {
  it('gives anonymous callers the status only, and a viewer the readiness report until it is fixed', async () => {
    home = broken();
    app = await buildApp(resolveServerConfig({ config: home.config, data: path.join(home.dir, 'data'), listen: '127.0.0.1:0' }, {}), { webRoot: path.join(home.dir, 'no-web') });
    await app.ready();
    const anonymous = await app.inject({ method: 'GET', url: '/api/health' });
    expect(anonymous.json()).toEqual({ status: 'degraded', setup_required: true });
    expect(anonymous.body).not.toContain(home.dir);

    const viewer = await signIn(app, 'viewer');
    const health = (await app.inject({ method: 'GET', url: '/api/health', headers: viewer.headers })).json();
    expect(health).toMatchObject({ status: 'degraded', database: { path: path.join(home.dir, 'data', 'portcullis.db'), ok: true }, readiness: { active_response: 'not_ready', errors: 1 } });
    expect(health.readiness.problems[0]).toMatchObject({ severity: 'error', code: 'AR_DIR_MISSING', subject: path.join(home.dir, 'scripts') });

    // Fixed by putting the script where the config says: the next evaluation is clean.
    mkdirSync(path.join(home.dir, 'scripts', 'lib'), { recursive: true, mode: 0o755 });
    copyFileSync(path.join(shippedActiveResponse, 'firewall-drop.sh'), path.join(home.dir, 'scripts', 'firewall-drop.sh'));
    for (const lib of ['ar-common.sh', 'ar-ip.sh', 'ar-json.sh']) copyFileSync(path.join(shippedActiveResponse, 'lib', lib), path.join(home.dir, 'scripts', 'lib', lib));
    await app.readiness.get(0);
    const fixed = (await app.inject({ method: 'GET', url: '/api/health', headers: viewer.headers })).json();
    expect(fixed).toMatchObject({ status: 'ok', readiness: { active_response: 'ready', errors: 0 } });
    expect(fixed.readiness.commands[0]).toMatchObject({ path: path.join(home.dir, 'scripts', 'firewall-drop.sh'), ok: true });
  });
});
