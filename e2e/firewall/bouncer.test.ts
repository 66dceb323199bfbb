// Many hosts end to end, in network namespaces made by this test (never the host's firewall):
// Portcullis in "central"; web1 and web2 each run Debian's unchanged crowdsec-firewall-bouncer
// (nftables on web1, iptables + ipset on web2) pointed at Portcullis's /v1/ API; an attacker on
// the same LAN reaches both. A brute force in web1's lines with <location>all</location> drops the
// attacker on web1 and web2; a release lets it back in; a timeout too; so does a timeout that
// passes while Portcullis was SIGKILLed; a bouncer restarted gets the full set again.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AR_DIR, PORT, missing, nsRun, waitForLine } from './netns.mjs';

const BOUNCER = '/usr/bin/crowdsec-firewall-bouncer';
const TIMEOUT = 10; // seconds a block lasts
const NET = 249;
const why = missing() ?? (spawnSync(BOUNCER, ['-V']).status === 0 ? null : `needs ${BOUNCER}`);
const tag = `pcb${process.pid}`;
const ns = { lan: `${tag}-lan`, central: `${tag}-central`, web1: `${tag}-web1`, web2: `${tag}-web2`, att: `${tag}-att` };
const addr = { central: `10.${NET}.0.1`, web1: `10.${NET}.0.11`, web2: `10.${NET}.0.12`, att: [`10.${NET}.0.2`, `10.${NET}.0.3`, `10.${NET}.0.4`] };

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** A child speaking one JSON line in, one JSON line out. */
class Control {
  readonly #waiting: Array<(v: Record<string, unknown>) => void> = [];
  constructor(readonly proc: ChildProcess) {
    readline.createInterface({ input: proc.stdout! }).on('line', (l) => {
      if (l.startsWith('{')) this.#waiting.shift()?.(JSON.parse(l) as Record<string, unknown>);
    });
  }
  ask(req: object): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.proc.stdin!.write(`${JSON.stringify(req)}\n`);
    });
  }
}

let port = 41000;
function bruteForce(src: string): string[] {
  const d = new Date();
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (x: number): string => String(x).padStart(2, '0');
  const ts = `${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  return Array.from({ length: 5 }, () => `${ts} web1 sshd[${port % 9000}]: Failed password for root from ${src} port ${port++} ssh2`);
}

describe.skipIf(why !== null)('CrowdSec bouncers on two hosts (network namespaces)', () => {
  let dir: string;
  let server: ChildProcess | null = null;
  let control: Control;
  let prober: Control;
  const children: ChildProcess[] = [];
  const bouncers: Record<'web1' | 'web2', ChildProcess | null> = { web1: null, web2: null };
  const keys: Record<string, string> = {};
  let token = '';
  const config = (): string => join(dir, 'portcullis.conf');
  const data = (): string => join(dir, 'data');
  const url = `http://${addr.central}:8787`;

  const spawnIn = (where: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess => {
    const p = spawn('ip', ['netns', 'exec', where, cmd, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    p.stderr!.on('data', () => undefined);
    children.push(p);
    return p;
  };
  const startServer = async (): Promise<void> => {
    server = spawnIn(ns.central, process.execPath, [join(import.meta.dirname, 'serve-hosts.mjs'), config(), data(), `${addr.central}:8787`], {
      ...process.env, PORTCULLIS_FW_BACKEND: 'nftables', PORTCULLIS_AR_LOCK: join(dir, 'fw.lock'), PORTCULLIS_AR_LOG: join(dir, 'ar-scripts.log'),
    });
    await waitForLine(server, 'ready');
    control = new Control(server);
  };
  const startBouncer = (host: 'web1' | 'web2'): void => {
    const file = join(dir, `${host}-bouncer.yaml`);
    writeFileSync(file, `mode: ${host === 'web1' ? 'nftables' : 'iptables'}
pid_dir: ${dir}/
update_frequency: 1s
daemonize: false
log_mode: stdout
log_level: info
api_url: ${url}/
api_key: ${keys[host]}
disable_ipv6: false
deny_action: DROP
deny_log: false
supported_decisions_types:
  - ban
blacklists_ipv4: crowdsec-blacklists
blacklists_ipv6: crowdsec6-blacklists
ipset_type: nethash
iptables_chains:
  - INPUT
nftables:
  ipv4:
    enabled: true
    set-only: false
    table: crowdsec
    chain: crowdsec-chain
  ipv6:
    enabled: true
    set-only: false
    table: crowdsec6
    chain: crowdsec6-chain
prometheus:
  enabled: false
  listen_addr: 127.0.0.1
  listen_port: 60601
`);
    const p = spawnIn(ns[host], BOUNCER, ['-c', file]);
    const log = join(dir, `${host}-bouncer.log`);
    p.stdout!.on('data', (b: Buffer) => appendFileSync(log, b));
    p.stderr!.on('data', (b: Buffer) => appendFileSync(log, b));
    bouncers[host] = p;
  };
  const stopBouncer = async (host: 'web1' | 'web2'): Promise<void> => {
    const p = bouncers[host]!;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  };
  const db = <T>(sql: string, ...params: unknown[]): T[] => {
    const d = new Database(join(data(), 'portcullis.db'), { readonly: true, fileMustExist: true });
    try {
      return d.prepare(sql).all(...params) as T[];
    } finally {
      d.close();
    }
  };
  const watch = async (src: string, host: 'web1' | 'web2', until: 'drop' | 'open', maxMs = 15_000): Promise<boolean> =>
    (await prober.ask({ op: 'watch', src, dst: addr[host], port: PORT, until, maxMs, everyMs: 50, timeoutMs: 200 })).ok === true;
  const inSet = (host: 'web1' | 'web2', value: string): boolean => {
    const r = host === 'web1' ? nsRun(ns.web1, 'nft', ['list', 'set', 'ip', 'crowdsec', 'crowdsec-blacklists']) : nsRun(ns.web2, 'ipset', ['list', 'crowdsec-blacklists']);
    return new RegExp(`\\b${value.replace(/\./g, '\\.')}\\b`).test(r.stdout);
  };
  /** A request to the API over HTTP, made from inside the central namespace. */
  const api = async (method: string, path: string, body?: object): Promise<{ status: number; body: string }> =>
    (await control.ask({ op: 'fetch', method, path, token, ...(body ? { body } : {}) })) as { status: number; body: string };
  const blockOf = (ip: string): { id: number; state: string } => db<{ id: number; state: string }>("SELECT id, state FROM blocks WHERE ip = ? AND state != 'refused' ORDER BY id DESC LIMIT 1", ip)[0]!;
  const deliveries = (blockId: number): Array<{ host: string; added_at: number | null; removed_at: number | null }> =>
    db('SELECT h.name AS host, d.added_at, d.removed_at FROM block_deliveries d JOIN hosts h ON h.id = d.host_id WHERE d.block_id = ? ORDER BY h.name', blockId);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-bouncers-'));
    mkdirSync(data());
    writeFileSync(config(), `<ossec_config>
  <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response><command>firewall-drop</command><location>all</location><rules_group>portcullis_block,</rules_group><timeout>${TIMEOUT}</timeout><repeated_offenders>1</repeated_offenders></active-response>
  <portcullis><data_dir>${data()}</data_dir><active_response_dir>${AR_DIR}</active_response_dir><journald>no</journald><watch_ruleset>no</watch_ruleset></portcullis>
</ossec_config>
`);
    for (const n of Object.values(ns)) ip('netns', 'add', n);
    ip('-n', ns.lan, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', ns.lan, 'link', 'set', 'br0', 'up');
    for (const [name, where] of [['central', ns.central], ['web1', ns.web1], ['web2', ns.web2], ['att', ns.att]] as const) {
      ip('-n', ns.lan, 'link', 'add', `v-${name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', where);
      ip('-n', ns.lan, 'link', 'set', `v-${name}`, 'master', 'br0', 'up');
      ip('-n', where, 'link', 'set', 'lo', 'up');
      ip('-n', where, 'link', 'set', 'eth0', 'up');
      for (const a of name === 'att' ? addr.att : [addr[name]]) ip('-n', where, 'addr', 'add', `${a}/24`, 'dev', 'eth0');
    }
    for (const host of ['web1', 'web2'] as const) await waitForLine(spawnIn(ns[host], process.execPath, [join(import.meta.dirname, 'listener.mjs'), String(PORT)]), 'listening');
    prober = new Control(spawnIn(ns.att, process.execPath, [join(import.meta.dirname, 'prober.mjs')]));
    await startServer();
    keys.web1 = (await control.ask({ op: 'host', name: 'web1' })).api_key as string;
    keys.web2 = (await control.ask({ op: 'host', name: 'web2' })).api_key as string;
    token = (await control.ask({ op: 'token' })).token as string;
    startBouncer('web1');
    startBouncer('web2');
    for (const host of ['web1', 'web2'] as const) for (const a of addr.att) expect(await watch(a, host, 'open', 10_000), `${a} → ${host}`).toBe(true);
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const n of Object.values(ns)) spawnSync('ip', ['netns', 'del', n]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops a brute force seen in web1 on web1 and web2, and lets it back in when released in the API', async () => {
    const a = addr.att[0]!;
    await control.ask({ op: 'ingest', host: 'web1', lines: bruteForce(a) });
    expect(await watch(a, 'web1', 'drop')).toBe(true);
    expect(await watch(a, 'web2', 'drop')).toBe(true);
    expect(inSet('web1', a)).toBe(true);
    expect(inSet('web2', a)).toBe(true);
    const b = blockOf(a);
    const res = await api('GET', `/api/blocks/${b.id}`);
    expect(res.status, res.body).toBe(200);
    const detail = JSON.parse(res.body) as { targets: { server: boolean; hosts: Array<{ name: string; state: string }>; summary: string } };
    expect(detail.targets.server).toBe(true);
    expect(detail.targets.hosts.map((h) => [h.name, h.state])).toEqual([['web1', 'delivered'], ['web2', 'delivered']]);
    expect(detail.targets.summary).toMatch(/^enforced on 2\/2 hosts and the server/);

    const released = await api('POST', `/api/blocks/${b.id}/release`, { reason: 'false positive' });
    expect(released.status, released.body).toBe(200);
    expect(await watch(a, 'web1', 'open')).toBe(true);
    expect(await watch(a, 'web2', 'open')).toBe(true);
    expect(inSet('web1', a)).toBe(false);
    expect(inSet('web2', a)).toBe(false);
  });

  it('lets a second brute force back in on both hosts when its timeout passes', async () => {
    const a = addr.att[1]!;
    await control.ask({ op: 'ingest', host: 'web1', lines: bruteForce(a) });
    expect(await watch(a, 'web1', 'drop')).toBe(true);
    expect(await watch(a, 'web2', 'drop')).toBe(true);
    expect(await watch(a, 'web1', 'open', 3 * TIMEOUT * 1000)).toBe(true);
    expect(await watch(a, 'web2', 'open', 3 * TIMEOUT * 1000)).toBe(true);
    expect(blockOf(a).state).toBe('expired');
  });

  it('loses and repeats nothing when Portcullis is SIGKILLed during a block and restarted', async () => {
    const a = addr.att[2]!;
    await control.ask({ op: 'ingest', host: 'web1', lines: bruteForce(a) });
    expect(await watch(a, 'web1', 'drop')).toBe(true);
    expect(await watch(a, 'web2', 'drop')).toBe(true);
    const b = blockOf(a);
    const exited = new Promise((r) => server!.once('exit', r));
    server!.kill('SIGKILL');
    await exited;
    // the bouncers keep the ban while the server is away
    expect(inSet('web1', a) && inSet('web2', a)).toBe(true);
    await startServer();
    expect(await watch(a, 'web1', 'open', 3 * TIMEOUT * 1000)).toBe(true);
    expect(await watch(a, 'web2', 'open', 3 * TIMEOUT * 1000)).toBe(true);
    const until = Date.now() + 10_000;
    while (Date.now() < until && deliveries(b.id).some((d) => d.removed_at === null)) await new Promise((r) => setTimeout(r, 200));
    expect(deliveries(b.id).map((d) => [d.host, d.added_at !== null, d.removed_at !== null])).toEqual([['web1', true, true], ['web2', true, true]]);
    expect(db('SELECT * FROM bouncer_sent WHERE value = ?', a)).toEqual([]);
    expect(blockOf(a).state).toBe('expired');
  });

  it('gives a restarted bouncer the full set (startup=true)', async () => {
    // the first attacker again: a repeated offender, blocked for 1 min this time
    const a = addr.att[0]!;
    await control.ask({ op: 'ingest', host: 'web1', lines: bruteForce(a) });
    expect(await watch(a, 'web2', 'drop')).toBe(true);
    expect(db<{ offense: number; timeout: number }>('SELECT offense, timeout FROM blocks WHERE id = ?', blockOf(a).id)[0]).toEqual({ offense: 2, timeout: 60 });
    // the bouncer stops and web2's set is emptied (as a reboot does): the attacker gets in
    await stopBouncer('web2');
    nsRun(ns.web2, 'ipset', ['flush', 'crowdsec-blacklists']);
    expect(await watch(a, 'web2', 'open')).toBe(true);
    startBouncer('web2');
    expect(await watch(a, 'web2', 'drop')).toBe(true);
    expect(inSet('web2', a)).toBe(true);
    expect((await api('POST', `/api/blocks/${blockOf(a).id}/release`, { reason: 'done' })).status).toBe(200);
    expect(await watch(a, 'web1', 'open')).toBe(true);
    expect(await watch(a, 'web2', 'open')).toBe(true);
  });
});
