// A small lab of two network namespaces joined by a veth pair, made and removed by the caller:
// "server" (a TCP listener, and the Portcullis server whose scripts act on this namespace) and
// "attacker" (one or more addresses, and a prober making bounded connection attempts). Nothing
// here touches the host's own firewall or interfaces: the veth pair is created inside the
// namespaces. Used by active-response.test.ts and bench/ar-latency.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..');
export const AR_DIR = join(ROOT, 'active-response');
export const PORT = 8080;

function has(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

/** Why the lab cannot run here, or null. */
export function missing() {
  if (process.getuid?.() !== 0) return 'needs root (it creates network namespaces)';
  if (!has('ip')) return 'needs ip (iproute2)';
  return null;
}

/** The namespace tests need root to make namespaces; scripts/test-rest.mjs runs them only as root. */
export const isRoot = () => process.getuid?.() === 0;

/**
 * Throws, naming the Debian packages, when a tool these tests drive is absent: `npm test` installs
 * them (scripts/ensure.mjs --test), so a missing one is a broken setup to fix, never a skip.
 * @param {Array<[string, string]>} tools  [command or absolute path, Debian package]
 */
export function requireTools(tools) {
  const absent = tools.filter(([bin]) => !(bin.startsWith('/') ? existsSync(bin) : has(bin) || existsSync(`/usr/sbin/${bin}`)));
  if (absent.length === 0) return;
  const pkgs = [...new Set(absent.map(([, pkg]) => pkg))];
  throw new Error(`missing ${absent.map(([bin]) => bin).join(', ')}: apt-get install -y ${pkgs.join(' ')} (npm test installs it with scripts/ensure.mjs --test)`);
}

export const backends = () => ({ nftables: has('nft'), iptables: has('iptables') && has('ip6tables') && has('ipset') });

function ip(...args) {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Runs a command inside a namespace, synchronously; returns { status, stdout, stderr }. */
export function nsRun(ns, cmd, args, env = process.env) {
  return spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', env, timeout: 30_000 });
}

/** A line-protocol child process: send one JSON line, get one JSON line back, in order. */
class JsonChild {
  constructor(proc) {
    this.proc = proc;
    this.waiting = [];
    readline.createInterface({ input: proc.stdout }).on('line', (l) => this.waiting.shift()?.(JSON.parse(l)));
  }

  ask(req) {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }
}

/** Resolves when `proc` prints a line equal to `word` (rejects when it exits first or after `ms`). */
export function waitForLine(proc, word, ms = 20_000) {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: proc.stdout });
    const t = setTimeout(() => reject(new Error(`no "${word}" within ${ms} ms`)), ms);
    rl.on('line', (l) => {
      if (l.trim() === word) {
        clearTimeout(t);
        rl.removeAllListeners('line');
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`exited (${code}) before "${word}"`));
    });
  });
}

export class Lab {
  /**
   * @param {{ tag: string, net: number, attackers?: number }} o  `net` picks 10.<net>.0.0/16 and fd00:<net>::/64
   */
  constructor(o) {
    this.srv = `pc-${o.tag}-srv-${process.pid}`;
    this.att = `pc-${o.tag}-att-${process.pid}`;
    this.srv4 = `10.${o.net}.0.1`;
    this.srv6 = `fd00:${o.net}::1`;
    const n = o.attackers ?? 1;
    this.att4 = Array.from({ length: n }, (_, i) => `10.${o.net}.${1 + Math.floor((i + 2) / 250)}.${((i + 2) % 250) + 1}`);
    this.att6 = Array.from({ length: n }, (_, i) => `fd00:${o.net}::${(i + 2).toString(16)}`);
    this.children = [];
  }

  async up() {
    ip('netns', 'add', this.srv);
    ip('netns', 'add', this.att);
    ip('-n', this.srv, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth0', 'netns', this.att);
    for (const ns of [this.srv, this.att]) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', 'veth0', 'up');
    }
    ip('-n', this.srv, 'addr', 'add', `${this.srv4}/16`, 'dev', 'veth0');
    ip('-n', this.srv, 'addr', 'add', `${this.srv6}/64`, 'dev', 'veth0', 'nodad');
    const batch = [...this.att4.map((a) => `addr add ${a}/16 dev veth0`), ...this.att6.map((a) => `addr add ${a}/64 dev veth0 nodad`)].join('\n');
    const r = spawnSync('ip', ['-n', this.att, '-batch', '-'], { input: `${batch}\n`, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`adding attacker addresses: ${r.stderr}`);
    const listener = this.spawnIn(this.srv, [join(here, 'listener.mjs'), String(PORT)]);
    await waitForLine(listener, 'listening');
    this.prober = new JsonChild(this.spawnIn(this.att, [join(here, 'prober.mjs')]));
    // the first packets on a fresh veth may wait for neighbour discovery
    for (let i = 0; i < 50 && !(await this.probe(this.att4[0], this.srv4)) ; i++) await new Promise((res) => setTimeout(res, 100));
    for (let i = 0; i < 50 && !(await this.probe(this.att6[0], this.srv6)); i++) await new Promise((res) => setTimeout(res, 100));
  }

  /** Starts `node ARGS` inside a namespace; killed by down(). */
  spawnIn(ns, args, env = process.env, out = 'pipe') {
    const p = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { env, stdio: ['pipe', out === 'pipe' ? 'pipe' : out, 'pipe'] });
    p.stderr.on('data', () => undefined);
    this.children.push(p);
    return p;
  }

  /** One connection attempt from the attacker address `src` to `dst`. */
  async probe(src, dst) {
    return (await this.prober.ask({ op: 'probe', src, dst, port: PORT, timeoutMs: 500 })).ok;
  }

  /** Repeated attempts until the connection is dropped (or open again); the wall time it changed. */
  watch(src, dst, until, maxMs = 5000, everyMs = 2) {
    return this.prober.ask({ op: 'watch', src, dst, port: PORT, until, maxMs, everyMs, timeoutMs: 40 });
  }

  async down() {
    for (const c of this.children) if (c.exitCode === null) c.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
    spawnSync('ip', ['netns', 'del', this.srv]);
    spawnSync('ip', ['netns', 'del', this.att]);
  }
}

/**
 * A config for a Portcullis home in `dir`: the shipped rules, `auth.log`, firewall-drop bound to
 * portcullis_block (named without `.sh`, as Wazuh does; `protocol` ossec argv or Wazuh json).
 */
export function writeHome(dir, { timeout, repeated = '', protocol = 'ossec' }) {
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'auth.log'), '');
  const config = join(dir, 'portcullis.conf');
  writeFileSync(config, `<ossec_config>
  <localfile><log_format>syslog</log_format><location>${join(dir, 'auth.log')}</location></localfile>
  <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed><protocol>${protocol}</protocol></command>
  <active-response>
    <command>firewall-drop</command><location>local</location><rules_group>portcullis_block,</rules_group>
    <timeout>${timeout}</timeout>${repeated ? `<repeated_offenders>${repeated}</repeated_offenders>` : ''}
  </active-response>
  <portcullis>
    <data_dir>${join(dir, 'data')}</data_dir>
    <active_response_dir>${AR_DIR}</active_response_dir>
    <journald>no</journald>
    <watch_ruleset>no</watch_ruleset>
  </portcullis>
</ossec_config>
`);
  return { config, data: join(dir, 'data'), log: join(dir, 'auth.log') };
}

let port = 40000;
/** Appends `n` sshd failed-password lines from `ip` (the fifth fires the shipped brute-force block). */
export function bruteForce(log, ip, n = 5) {
  const d = new Date();
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (x) => String(x).padStart(2, '0');
  const ts = `${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  let text = '';
  for (let i = 0; i < n; i++) text += `${ts} srv sshd[${1000 + (port % 9000)}]: Failed password for root from ${ip} port ${port++} ssh2\n`;
  appendFileSync(log, text);
}
