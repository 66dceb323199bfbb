// Readiness (issue 8): a config whose active response cannot run, or whose log files cannot be
// read, says so — in the readiness report, `check-config` (exit 1 on errors, 0 with warnings) and
// the start banner. Real files, real modes, the real scripts' preflight, the built CLI run as
// root and as nobody.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseOssecConfig } from '../../src/config/ossec-config.js';
import { homeOf } from '../../src/config/ruleset-files.js';
import { activeResponseDirOf, resolveServerConfig } from '../../src/config/server-config.js';
import { evaluateReadiness, type ReadinessInput } from '../../src/modules/readiness/readiness.js';
import { shippedActiveResponse } from '../../src/paths.js';
import { asRoot } from '../support/root.js';
import { buildCli, checkConfig, makeHome, ownScript, pathWithoutFirewall, type Home } from './helpers.js';

let home: Home | null = null;
afterEach(() => {
  home?.cleanup();
  home = null;
});

function input(h: Home, extra: Partial<ReadinessInput> = {}): ReadinessInput {
  const cfg = parseOssecConfig(readFileSync(h.config, 'utf8'), h.config);
  return { cfg, home: homeOf(h.config), arDir: activeResponseDirOf(cfg, homeOf(h.config), {}, h.dir), env: process.env, ...extra };
}

const codes = (r: { problems: { code: string; severity: string }[] }): string[] => r.problems.map((p) => `${p.severity} ${p.code}`);

describe('the active-response directory', () => {
  it('is the shipped one for a config in a directory without its own', () => {
    home = makeHome();
    const cfg = resolveServerConfig({ config: home.config }, {}, home.dir);
    expect(cfg).toMatchObject({ activeResponseDir: shippedActiveResponse, activeResponseDirFrom: 'shipped' });
  });

  it("is the config home's own active-response/ when there is one", () => {
    home = makeHome();
    ownScript(home, 'firewall-drop.sh', 0o755);
    expect(resolveServerConfig({ config: home.config }, {}, home.dir)).toMatchObject({ activeResponseDir: path.join(home.dir, 'active-response'), activeResponseDirFrom: 'home' });
    // an OSSEC or Wazuh installation keeps its scripts in active-response/bin
    mkdirSync(path.join(home.dir, 'active-response', 'bin'));
    expect(resolveServerConfig({ config: home.config }, {}, home.dir)).toMatchObject({ activeResponseDir: path.join(home.dir, 'active-response', 'bin'), activeResponseDirFrom: 'home' });
  });

  it('is <active_response_dir> even when missing, and PORTCULLIS_ACTIVE_RESPONSE_DIR wins over it', () => {
    home = makeHome({ portcullis: '<active_response_dir>scripts</active_response_dir>' });
    expect(resolveServerConfig({ config: home.config }, {}, home.dir)).toMatchObject({ activeResponseDir: path.join(home.dir, 'scripts'), activeResponseDirFrom: 'config' });
    expect(resolveServerConfig({ config: home.config }, { PORTCULLIS_ACTIVE_RESPONSE_DIR: '/opt/ar' }, home.dir)).toMatchObject({ activeResponseDir: '/opt/ar', activeResponseDirFrom: 'env' });
  });
});

describe('active responses for registered hosts (many hosts)', () => {
  const withHostResponses = (h: Home): void => {
    const text = readFileSync(h.config, 'utf8').replace('</ossec_config>',
      '<active-response><command>firewall-drop</command><location>all</location><level>12</level><timeout>600</timeout></active-response>\n' +
      '<active-response><command>firewall-drop</command><location>defined-agent</location><agent_id>web1,web3</agent_id><level>12</level></active-response>\n</ossec_config>');
    writeFileSync(h.config, text);
  };

  it('are errors only when no host is registered, or when <agent_id> names one that is not', async () => {
    home = makeHome();
    withHostResponses(home);
    expect(codes(await evaluateReadiness(input(home, { hosts: [] }))).filter((c) => c.includes('AR_'))).toEqual(['error AR_AGENTS_ONLY', 'error AR_AGENTS_ONLY']);
    const registered = await evaluateReadiness(input(home, { hosts: ['web1', 'web2'] }));
    expect(codes(registered).filter((c) => c.includes('AR_'))).toEqual(['error AR_UNKNOWN_HOST']);
    expect(registered.problems.find((p) => p.code === 'AR_UNKNOWN_HOST')!.message).toMatch(/web3 is not a registered host/);
    expect(registered.active_response).not.toBe('ready');
    // check-config reads no database: it says where to look instead of guessing
    expect(codes(await evaluateReadiness(input(home))).filter((c) => c.includes('AR_'))).toEqual(['warning AR_HOSTS_UNKNOWN', 'warning AR_HOSTS_UNKNOWN']);
  });
});

describe('evaluateReadiness', () => {
  it('finds the shipped firewall-drop.sh for the seed config and asks it which backend it would use', async () => {
    home = makeHome();
    const r = await evaluateReadiness(input(home));
    expect(r.active_response).toBe('ready');
    expect(r.commands).toEqual([expect.objectContaining({ name: 'firewall-drop', path: path.join(shippedActiveResponse, 'firewall-drop.sh'), used: true, ok: true, backend: expect.stringMatching(/^(nftables|iptables)/) })]);
    expect(r.errors).toBe(0);
  });

  it('reports a missing <active_response_dir> as an error naming it and the way out, not a silent fallback', async () => {
    home = makeHome({ portcullis: '<active_response_dir>scripts</active_response_dir>' });
    const r = await evaluateReadiness(input(home));
    expect(r.active_response).toBe('not_ready');
    expect(r.active_response_dir).toEqual({ path: path.join(home.dir, 'scripts'), from: 'config', exists: false });
    expect(codes(r)).toEqual(['error AR_DIR_MISSING']);
    expect(r.problems[0]!.message).toContain(`${path.join(home.dir, 'scripts')} (set by <active_response_dir> in ${home.config}) does not exist`);
    expect(r.problems[0]!.fix).toContain(`remove <active_response_dir> from ${home.config} to use the shipped scripts in ${shippedActiveResponse}`);
  });

  it('reports a <command> whose executable is not in the directory', async () => {
    home = makeHome({ executable: 'no-such-script' });
    const r = await evaluateReadiness(input(home));
    expect(codes(r)).toEqual(['error SCRIPT_MISSING']);
    expect(r.problems[0]!.message).toContain(`no "no-such-script" or "no-such-script.sh" in the active-response directory ${shippedActiveResponse}`);
    expect(r.commands[0]).toMatchObject({ ok: false, path: null });
  });

  it('reports a script that is not executable, with the chmod to fix it', async () => {
    home = makeHome();
    const file = ownScript(home, 'firewall-drop.sh', 0o644);
    const r = await evaluateReadiness(input(home));
    expect(codes(r)).toEqual(['error SCRIPT_NOT_EXECUTABLE']);
    expect(r.problems[0]).toMatchObject({ subject: file, fix: `chmod +x ${file}` });
  });

  it.runIf(asRoot)('reports a script that others could change when it runs as root', async () => {
    home = makeHome();
    const file = ownScript(home, 'firewall-drop.sh', 0o775);
    chmodSync(file, 0o777);
    const r = await evaluateReadiness(input(home, { user: { uid: 0, name: 'root' } }));
    expect(codes(r)).toEqual(['error SCRIPT_UNSAFE']);
    expect(r.problems[0]!.message).toContain(`${file} is writable by anyone (mode 0777) and runs as root`);
    expect(r.problems[0]!.fix).toBe(`chmod go-w ${file}`);
    chmodSync(file, 0o755);
    chownSync(file, 65534, 65534);
    const owned = await evaluateReadiness(input(home, { user: { uid: 0, name: 'root' } }));
    expect(owned.problems[0]!.message).toContain(`${file} is owned by nobody (uid 65534), not root`);
  });

  it('reports a firewall backend that is not there (preflight with a PATH without nft or iptables)', async () => {
    home = makeHome();
    const r = await evaluateReadiness(input(home, { env: { PATH: pathWithoutFirewall(home) } }));
    expect(codes(r)).toEqual(['error PREFLIGHT_FAILED']);
    expect(r.problems[0]!.message).toContain('no firewall tool found: neither nft nor iptables is in PATH');
    expect(r.problems[0]!.fix).toContain('apt-get install nftables');
    expect(r.commands[0]).toMatchObject({ ok: false, backend: null });
  });

  it('warns about a log file that is not there yet, and a command no active response uses', async () => {
    home = makeHome({ logs: ['auth.log'] });
    writeFileSync(home.config, readFileSync(home.config, 'utf8').replace('<active-response>', '<command><name>spare</name><executable>host-deny.sh</executable></command><active-response>'));
    const r = await evaluateReadiness(input(home));
    expect(codes(r)).toEqual(['warning COMMAND_UNUSED', 'warning LOG_MISSING']);
    expect(r.log_files).toEqual([{ location: 'auth.log', path: path.join(home.dir, 'auth.log'), state: 'missing', problem: expect.stringContaining('will be read when it appears') }]);
    expect(r.active_response).toBe('ready');
  });
});

describe('portcullis check-config (the built CLI)', () => {
  beforeAll(() => buildCli(), 120_000);

  it('fails on a missing <active_response_dir>, printing the problem and the fix', () => {
    home = makeHome({ portcullis: '<active_response_dir>scripts</active_response_dir>' });
    const r = checkConfig(home.config);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(`ACTIVE RESPONSE WILL NOT RUN: <command> firewall-drop (${home.config}:2): the active-response directory ${path.join(home.dir, 'scripts')}`);
    expect(r.stderr).toContain('fix: create');
    expect(r.stdout).not.toMatch(/: OK /);
  });

  it('passes the seed config in a fresh directory (the shipped scripts), and warns about a log file not there yet', () => {
    home = makeHome({ logs: ['auth.log'] });
    const r = checkConfig(home.config);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${home.config}: OK`);
    expect(r.stdout).toContain(`firewall-drop  ${path.join(shippedActiveResponse, 'firewall-drop.sh')}`);
    expect(r.stderr).toContain(`warning: ${path.join(home.dir, 'auth.log')} is not there yet; it will be read when it appears`);
  });

  it('fails on a missing executable and on one that is not executable', () => {
    home = makeHome({ executable: 'drop-it' });
    const missing = checkConfig(home.config);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`no "drop-it" or "drop-it.sh" in the active-response directory ${shippedActiveResponse}`);
    const file = ownScript(home, 'drop-it.sh', 0o600);
    const notX = checkConfig(home.config);
    expect(notX.status).toBe(1);
    expect(notX.stderr).toContain(`ACTIVE RESPONSE WILL NOT RUN: <command> firewall-drop (${home.config}:2): ${file} is not executable`);
    expect(notX.stderr).toContain(`fix: chmod +x ${file}`);
  });

  it('fails when no firewall tool is in PATH', () => {
    home = makeHome();
    const r = checkConfig(home.config, { env: { PATH: pathWithoutFirewall(home) } });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('cannot act: no firewall tool found');
  });

  it.runIf(asRoot)('says a user without CAP_NET_ADMIN cannot change the firewall (a normal user running npm start)', () => {
    const r = spawnSync(path.join(shippedActiveResponse, 'firewall-drop.sh'), ['preflight'], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('runs as nobody without CAP_NET_ADMIN, so it cannot change the firewall');
    expect(r.stderr).toContain('fix: run Portcullis as root');
  });

  it.runIf(asRoot)('run as nobody: names a log file it cannot read, the user, and what to do', () => {
    home = makeHome({ logs: ['secret.log', 'adm.log'], executable: 'noop' });
    ownScript(home, 'noop', 0o755);
    const secret = path.join(home.dir, 'secret.log');
    writeFileSync(secret, 'x\n', { mode: 0o600 });
    chownSync(secret, 0, 0);
    const adm = path.join(home.dir, 'adm.log');
    writeFileSync(adm, 'x\n');
    chmodSync(adm, 0o640);
    chownSync(adm, 0, 4); // root:adm, as Debian's auth.log
    const r = checkConfig(home.config, { uid: 65534 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(`LOG FILE WILL NOT BE READ: ${secret} cannot be read by nobody (permission denied)`);
    expect(r.stderr).toContain(`setfacl -m u:nobody:r ${secret}`);
    expect(r.stderr).toContain(`LOG FILE WILL NOT BE READ: ${adm} cannot be read by nobody`);
    expect(r.stderr).toContain('add nobody to group adm (usermod -aG adm nobody');
    // root reads both
    expect(checkConfig(home.config).status).toBe(0);
  });

  it.runIf(asRoot)('run as nobody: names the directory it cannot enter on the way to a log file', () => {
    home = makeHome({ logs: ['private/app.log'], executable: 'noop' });
    ownScript(home, 'noop', 0o755);
    mkdirSync(path.join(home.dir, 'private'), { mode: 0o700 });
    writeFileSync(path.join(home.dir, 'private', 'app.log'), '');
    const r = checkConfig(home.config, { uid: 65534 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the directory ${path.join(home.dir, 'private')} is not searchable`);
  });
});
