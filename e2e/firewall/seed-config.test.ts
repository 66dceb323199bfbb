// Issue 8: the seed's configuration — an OSSEC ossec.conf with a firewall-drop <command> and a
// level-10 <active-response>, and nothing of Portcullis's own — in a fresh directory, started with
// `portcullis start --config` that file. The directory has no active-response/, so the shipped
// scripts run (inside the server's network namespace): the brute-forcing attacker is dropped and
// the block is stored. Before the fix the block was stored, the script was looked for in
// <config dir>/active-response, and the attacker was never dropped.
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AR_DIR, Lab, ROOT, backends, bruteForce, nsRun, requireTools } from './netns.mjs';

/** Resolves with the server's output once its start banner is complete (the sign-in lines come last). */
function banner(proc: ChildProcess, ms = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`no banner within ${ms} ms:\n${out}`)), ms);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/\n {2}sign in .*\n[\s\S]*\n\n/.test(out)) {
        clearTimeout(t);
        resolve(out);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`exited (${code}) before its banner:\n${out}`));
    });
  });
}

describe("the seed's ossec.conf in a directory of its own", () => {
  const lab = new Lab({ tag: 'e2eseed', net: 250, attackers: 1 });
  let dir: string;
  let log: string;
  let data: string;
  let server: ChildProcess;
  let out: string;
  // The scripts' lock and log in the test's directory, so nothing outside it is touched.
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, PORTCULLIS_AR_LOCK: join(dir, 'fw.lock'), PORTCULLIS_AR_LOG: join(dir, 'ar-scripts.log'), PORTCULLIS_LOG_LEVEL: 'warn' });

  beforeAll(async () => {
    // npm test installs these (scripts/ensure.mjs --test): missing, the test fails naming the package
    requireTools([['ip', 'iproute2']]);
    if (!backends().nftables && !backends().iptables) requireTools([['nft', 'nftables']]);
    dir = mkdtempSync(join(tmpdir(), 'pc-e2e-seed-'));
    log = join(dir, 'auth.log');
    data = join(dir, 'data');
    writeFileSync(log, '');
    // The XML of the seed, with nothing added: no <portcullis> block, no active_response_dir.
    writeFileSync(join(dir, 'ossec.conf'), `<ossec_config>
  <global><white_list>127.0.0.1</white_list></global>
  <localfile><log_format>syslog</log_format><location>${log}</location></localfile>
  <command><name>firewall-drop</name><executable>firewall-drop.sh</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response><command>firewall-drop</command><location>local</location><level>10</level><timeout>600</timeout></active-response>
</ossec_config>
`);
    await lab.up();
    server = lab.spawnIn(lab.srv, [join(ROOT, 'apps', 'server', 'bin', 'portcullis.js'), 'start', '--config', join(dir, 'ossec.conf'), '--data', data, '--listen', '127.0.0.1:8787'], env());
    out = await banner(server);
  });

  afterAll(async () => {
    server?.kill('SIGTERM');
    await lab.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says at start that it will use the shipped scripts, and nothing that will not run', () => {
    expect(out).toContain(`responses  scripts (run as root) from ${AR_DIR} (the shipped scripts)`);
    expect(out).toMatch(new RegExp(`firewall-drop {2}${join(AR_DIR, 'firewall-drop.sh')} {2}\\((nftables|iptables)`));
    expect(out).not.toContain('WILL NOT RUN');
  });

  it('drops the brute-forcing attacker and stores the block', async () => {
    const attacker = lab.att4[0]!;
    expect(await lab.probe(attacker, lab.srv4)).toBe(true);
    bruteForce(log, attacker);
    const drop = await lab.watch(attacker, lab.srv4, 'drop', 10_000);
    expect(drop.ok, `the attacker was dropped; server said:\n${out}`).toBe(true);
    expect(nsRun(lab.srv, join(AR_DIR, 'firewall-drop.sh'), ['check', '-', attacker], env()).status).toBe(0);
    const db = new Database(join(data, 'portcullis.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare("SELECT b.state, b.command, r.executable, r.exit_code FROM blocks b JOIN ar_runs r ON r.block_id = b.id AND r.action = 'add' WHERE b.ip = ?").all(attacker);
      expect(rows).toEqual([{ state: 'active', command: 'firewall-drop', executable: join(AR_DIR, 'firewall-drop.sh'), exit_code: 0 }]);
    } finally {
      db.close();
    }
  });
});
