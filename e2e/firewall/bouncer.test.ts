// Many hosts end to end, in network namespaces made by this test (never the host's firewall), with
// the parts an admin runs and nothing standing in for them:
// - "central" runs `portcullis start` on a config written as the README says: HTTPS on the main
//   listener (`<tls>`) and `<syslog protocol="tls">` on port 6514, both with the certificates of
//   `portcullis ca init`; web1 and web2 registered with `portcullis host add --json`, their client
//   certificates made with `portcullis host cert`, an admin with `portcullis user add`.
// - web1 and web2 each run Debian's real rsyslogd, following a test auth.log (imfile) and forwarding
//   it over TLS (GnuTLS, x509/name, RFC 5425 octet counting) with the host's client certificate, and
//   Debian's unchanged crowdsec-firewall-bouncer (nftables on web1, iptables + ipset on web2) pulling
//   https://central:8787/v1/ every second.
// - An attacker on the same LAN reaches both.
// A brute force appended to web1's auth.log, with <location>all</location>, drops the attacker on
// web1 and web2; a release in the HTTP API lets it back in; a timeout too; so does a timeout that
// passes while Portcullis was SIGKILLed; a restarted bouncer's startup pull gets the full set. A
// line web2 sends claiming to be web1 is web2's: its alert's host, and the `local` response it
// triggers (a second <active-response>, on rule 5758) is enforced by web2's bouncer, not web1's.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORT, ROOT, isRoot, nsRun, requireTools, waitForLine } from './netns.mjs';

const CLI = join(ROOT, 'apps', 'server', 'bin', 'portcullis.js');
const BOUNCER = '/usr/bin/crowdsec-firewall-bouncer';
const RSYSLOGD = '/usr/sbin/rsyslogd';
const TIMEOUT = 10; // seconds a block lasts
const NET = 249;
const PASSWORD = 'e2e admin password';
const tag = `pcb${process.pid}`;
const ns = { lan: `${tag}-lan`, central: `${tag}-central`, web1: `${tag}-web1`, web2: `${tag}-web2`, att: `${tag}-att` };
const addr = {
  central: `10.${NET}.0.1`,
  web1: `10.${NET}.0.11`,
  web2: `10.${NET}.0.12`,
  att: [`10.${NET}.0.2`, `10.${NET}.0.3`, `10.${NET}.0.4`, `10.${NET}.0.5`],
};
const url = `https://${addr.central}:8787`;
type Host = 'web1' | 'web2';

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** `portcullis ARGS` as the admin runs it on the central host (these subcommands only touch files). */
function portcullis(args: string[], input = ''): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`portcullis ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
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

/** Resolves with the server's start banner once it is complete (it ends with a blank line). */
function banner(proc: ChildProcess, ms = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`no start banner within ${ms} ms:\n${out}`)), ms);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (/\n {2}sign in [^\n]*\n(?:[\s\S]*?\n)?\n/.test(out)) {
        clearTimeout(t);
        proc.stdout!.off('data', onData);
        resolve(out);
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`portcullis start exited (${code}) before its banner:\n${out}`));
    });
  });
}

let sshPort = 41000;
/** A line of sshd's as syslog writes it, claiming host `claims`. */
function sshd(claims: string, message: string): string {
  const d = new Date();
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (x: number): string => String(x).padStart(2, '0');
  const ts = `${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  return `${ts} ${claims} sshd[${1000 + (sshPort % 9000)}]: ${message}\n`;
}
/** Five failed passwords from `src` (the fifth fires the shipped brute-force rule 5720). */
function bruteForce(src: string): string {
  return Array.from({ length: 5 }, () => sshd('web1', `Failed password for root from ${src} port ${sshPort++} ssh2`)).join('');
}

describe.skipIf(!isRoot())('CrowdSec bouncers and rsyslog over TLS on two hosts (network namespaces)', () => {
  let dir: string;
  let server: ChildProcess | null = null;
  let prober: Control;
  const children: ChildProcess[] = [];
  const bouncers: Record<Host, ChildProcess | null> = { web1: null, web2: null };
  const keys: Record<string, string> = {};
  let token = '';
  const home = (): string => join(dir, 'central');
  const config = (): string => join(home(), 'portcullis.conf');
  const data = (): string => join(home(), 'data');
  const ca = (): string => join(home(), 'ca');
  const authLog = (host: Host): string => join(dir, host, 'auth.log');

  /** Starts CMD inside a namespace (`ip netns exec` execs it: the pid is CMD's); its output goes to DIR/NAME.log. */
  const spawnIn = (where: string, name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess => {
    const p = spawn('ip', ['netns', 'exec', where, cmd, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const log = createWriteStream(join(dir, `${name}.log`), { flags: 'a' });
    p.stdout!.on('data', (b: Buffer) => log.write(b));
    p.stderr!.on('data', (b: Buffer) => log.write(b));
    children.push(p);
    return p;
  };
  const startServer = async (): Promise<string> => {
    server = spawnIn(ns.central, 'portcullis', process.execPath, [CLI, 'start', '--config', config()], {
      ...process.env,
      // the server's own script (<location>all</location> includes it) acts in its namespace, with its lock and log here
      PORTCULLIS_FW_BACKEND: 'nftables', PORTCULLIS_AR_LOCK: join(dir, 'fw.lock'), PORTCULLIS_AR_LOG: join(dir, 'ar-scripts.log'),
    });
    return banner(server);
  };
  /** Debian's rsyslogd in HOST's namespace: imfile follows its auth.log, omfwd sends it to central:6514 over TLS. */
  const startRsyslog = (host: Host): void => {
    const work = join(dir, host, 'rsyslog');
    mkdirSync(work, { recursive: true });
    const certs = join(dir, host, 'certs');
    const conf = join(dir, host, 'rsyslog.conf');
    // The file's lines are sent as written (as if sshd had logged them through syslog): the
    // template is `<PRI>` + the line, so the line's HOSTNAME is the one it claims.
    writeFileSync(conf, `global(workDirectory="${work}")
module(load="imfile" PollingInterval="1")
template(name="asWritten" type="string" string="<%PRI%>%rawmsg%")
input(type="imfile" File="${authLog(host)}" Tag="sshd" Facility="auth" Severity="info" ruleset="toPortcullis")
ruleset(name="toPortcullis") {
  action(type="omfwd" target="${addr.central}" port="6514" protocol="tcp"
    StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="central"
    TCP_Framing="octet-counted" template="asWritten"
    StreamDriver.CAFile="${certs}/ca.crt" StreamDriver.CertFile="${certs}/${host}.crt" StreamDriver.KeyFile="${certs}/${host}.key"
    action.resumeRetryCount="-1" action.resumeInterval="1")
}
`);
    const check = spawnSync(RSYSLOGD, ['-N1', '-f', conf], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`rsyslogd -N1 -f ${conf}: ${check.stderr}${check.stdout}`);
    spawnIn(ns[host], `${host}-rsyslog`, RSYSLOGD, ['-n', '-f', conf, '-i', join(dir, host, 'rsyslogd.pid')]);
  };
  const startBouncer = (host: Host): void => {
    const file = join(dir, host, 'crowdsec-firewall-bouncer.yaml');
    writeFileSync(file, `mode: ${host === 'web1' ? 'nftables' : 'iptables'}
pid_dir: ${join(dir, host)}/
update_frequency: 1s
daemonize: false
log_mode: stdout
log_level: info
api_url: ${url}/
api_key: ${keys[host]}
ca_cert_path: ${join(dir, host, 'certs', 'ca.crt')}
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
    bouncers[host] = spawnIn(ns[host], `${host}-bouncer`, BOUNCER, ['-c', file]);
  };
  const stopBouncer = async (host: Host): Promise<void> => {
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
  const until = async (check: () => boolean, what: string, ms = 15_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const watch = async (src: string, host: Host, want: 'drop' | 'open', maxMs = 15_000): Promise<boolean> =>
    (await prober.ask({ op: 'watch', src, dst: addr[host], port: PORT, until: want, maxMs, everyMs: 50, timeoutMs: 200 })).ok === true;
  const inSet = (host: Host, value: string): boolean => {
    const r = host === 'web1' ? nsRun(ns.web1, 'nft', ['list', 'set', 'ip', 'crowdsec', 'crowdsec-blacklists']) : nsRun(ns.web2, 'ipset', ['list', 'crowdsec-blacklists']);
    return new RegExp(`\\b${value.replace(/\./g, '\\.')}\\b`).test(r.stdout);
  };

  /** Appends a harmless line to HOST's log every 2 s until the server has received one from HOST. */
  const reconnected = async (host: Host): Promise<void> => {
    const lines = (): number => db<{ lines: number }>('SELECT lines FROM hosts WHERE name = ?', host)[0]!.lines;
    const before = lines();
    for (let i = 0; i < 10 && lines() === before; i++) {
      appendFileSync(authLog(host), `${sshd(host, 'Server listening on 0.0.0.0 port 22.').replace('sshd[', 'e2e-probe[')}`);
      const end = Date.now() + 2000;
      while (Date.now() < end && lines() === before) await new Promise((r) => setTimeout(r, 100));
    }
    expect(lines(), `${host}'s rsyslog sent nothing after the restart`).toBeGreaterThan(before);
  };

  /** An HTTPS request to Portcullis from the central host (node's fetch, trusting the CA of `ca init`). */
  const FETCH = `const [method, url, headers, body] = process.argv.slice(1);
const res = await fetch(url, { method, headers: JSON.parse(headers), body: body === '' ? undefined : body });
process.stdout.write(JSON.stringify({ status: res.status, body: await res.text(), cookies: res.headers.getSetCookie() }));`;
  const http = (method: string, path: string, headers: Record<string, string>, body?: object): Promise<{ status: number; body: string; cookies: string[] }> =>
    new Promise((resolve, reject) => {
      const p = spawn('ip', ['netns', 'exec', ns.central, process.execPath, '--input-type=module', '-e', FETCH, method, `${url}${path}`,
        JSON.stringify({ ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }), body ? JSON.stringify(body) : ''],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(ca(), 'ca.crt') } });
      let out = '';
      let err = '';
      p.stdout.on('data', (b: Buffer) => (out += b.toString()));
      p.stderr.on('data', (b: Buffer) => (err += b.toString()));
      p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${method} ${path}: ${err}`))));
    });
  const api = (method: string, path: string, body?: object): Promise<{ status: number; body: string }> => http(method, path, { authorization: `Bearer ${token}` }, body);
  const alerts = async (query: string): Promise<Array<{ host: string | null; hostname: string | null; location: string; full_log: string; rule_id: number; srcip: string | null }>> => {
    const res = await api('GET', `/api/alerts?${query}`);
    expect(res.status, res.body).toBe(200);
    return (JSON.parse(res.body) as { items: never[] }).items;
  };
  const blockOf = (ip: string): { id: number; state: string; created_at: number } =>
    db<{ id: number; state: string; created_at: number }>("SELECT id, state, created_at FROM blocks WHERE ip = ? AND state != 'refused' ORDER BY id DESC LIMIT 1", ip)[0]!;
  const deliveries = (blockId: number): Array<{ host: string; added_at: number | null; removed_at: number | null }> =>
    db('SELECT h.name AS host, d.added_at, d.removed_at FROM block_deliveries d JOIN hosts h ON h.id = d.host_id WHERE d.block_id = ? ORDER BY h.name', blockId);
  const targets = async (blockId: number): Promise<{ server: boolean; hosts: Array<{ name: string; state: string }>; summary: string }> => {
    const res = await api('GET', `/api/blocks/${blockId}`);
    expect(res.status, res.body).toBe(200);
    return (JSON.parse(res.body) as { targets: never }).targets;
  };

  beforeAll(async () => {
    // npm test installs these (scripts/ensure.mjs --test): a missing one fails here, naming its package.
    requireTools([['ip', 'iproute2'], ['nft', 'nftables'], ['iptables', 'iptables'], ['ipset', 'ipset'], [RSYSLOGD, 'rsyslog'],
      ['/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so', 'rsyslog-gnutls'], [BOUNCER, 'crowdsec-firewall-bouncer']]);
    dir = mkdtempSync(join(tmpdir(), 'portcullis-bouncers-'));
    for (const d of [home(), join(dir, 'web1'), join(dir, 'web2')]) mkdirSync(d);
    for (const host of ['web1', 'web2'] as const) writeFileSync(authLog(host), '');

    // The admin on the central host: a CA and the server's certificate, then the config.
    portcullis(['ca', 'init', '--dir', ca(), '--name', 'central', '--name', addr.central]);
    const tlsFiles = '<cert>ca/server.crt</cert><key>ca/server.key</key><client_ca>ca/ca.crt</client_ca>';
    writeFileSync(config(), `<ossec_config>
  <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
  <!-- a brute force seen on any host: dropped everywhere -->
  <active-response><command>firewall-drop</command><location>all</location><rules_group>portcullis_block,</rules_group><timeout>${TIMEOUT}</timeout><repeated_offenders>1</repeated_offenders></active-response>
  <!-- a client that used up its attempts on one connection: dropped on the host it came from -->
  <active-response><command>firewall-drop</command><location>local</location><rules_id>5758</rules_id><timeout>${TIMEOUT}</timeout></active-response>
  <portcullis>
    <listen>${addr.central}:8787</listen>
    <data_dir>${data()}</data_dir>
    <tls>${tlsFiles}</tls>
    <syslog protocol="tls"><listen>0.0.0.0:6514</listen><allowed-ips>any</allowed-ips>${tlsFiles}</syslog>
    <journald>no</journald>
    <watch_ruleset>no</watch_ruleset>
    <log_level>warn</log_level>
  </portcullis>
</ossec_config>
`);
    const conf = ['--config', config()];
    for (const host of ['web1', 'web2'] as const) {
      const added = JSON.parse(portcullis(['host', 'add', host, '--json', ...conf])) as { name: string; api_key: string; ingest_token: string };
      expect(Object.keys(added).sort()).toEqual(['api_key', 'ingest_token', 'name']);
      keys[host] = added.api_key;
      // copied to the host: HOST.crt, HOST.key and ca.crt
      portcullis(['host', 'cert', host, '--ca', ca(), '--out', join(dir, host, 'certs'), ...conf]);
    }
    portcullis(['user', 'add', 'admin', '--role', 'admin', ...conf], `${PASSWORD}\n`);

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
    for (const host of ['web1', 'web2'] as const) await waitForLine(spawnIn(ns[host], `${host}-listener`, process.execPath, [join(import.meta.dirname, 'listener.mjs'), String(PORT)]), 'listening');
    prober = new Control(spawnIn(ns.att, 'prober', process.execPath, [join(import.meta.dirname, 'prober.mjs')]));

    const out = await startServer();
    expect(out).toContain(`Portcullis is running at ${url}`);
    expect(out).toMatch(/syslog-tls +0\.0\.0\.0:6514/);
    expect(out).not.toContain('WILL NOT RUN');

    // The admin signs in and makes an API token (the session's cookie and CSRF token, as the dashboard does).
    const session = await http('POST', '/api/session', {}, { username: 'admin', password: PASSWORD });
    expect(session.status, session.body).toBe(200);
    const created = await http('POST', '/api/tokens', {
      cookie: session.cookies.map((c) => c.split(';')[0]).join('; '),
      'x-csrf-token': (JSON.parse(session.body) as { csrf_token: string }).csrf_token,
    }, { name: 'e2e', scope: 'admin' });
    expect(created.status, created.body).toBe(201);
    token = (JSON.parse(created.body) as { token: string }).token;

    for (const host of ['web1', 'web2'] as const) {
      startRsyslog(host);
      startBouncer(host);
    }
    for (const host of ['web1', 'web2'] as const) for (const a of addr.att) expect(await watch(a, host, 'open', 10_000), `${a} → ${host}`).toBe(true);
    await until(() => db<{ n: number }>('SELECT count(*) AS n FROM hosts WHERE last_startup_at IS NOT NULL')[0]!.n === 2, 'both bouncers made their startup pull');
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const n of Object.values(ns)) spawnSync('ip', ['netns', 'del', n]);
    // KEEP=1 leaves the directory, with every process's output in DIR/*.log, for a look
    if (dir && !process.env.KEEP) rmSync(dir, { recursive: true, force: true });
  });

  it("drops a brute force in web1's log on web1 and web2, and lets it back in when released in the API", async () => {
    const a = addr.att[0]!;
    appendFileSync(authLog('web1'), bruteForce(a));
    expect(await watch(a, 'web1', 'drop')).toBe(true);
    expect(await watch(a, 'web2', 'drop')).toBe(true);
    expect(inSet('web1', a)).toBe(true);
    expect(inSet('web2', a)).toBe(true);
    // the lines came from web1's rsyslog, known by its certificate
    const fired = await alerts(`srcip=${a}&rule_id=5720`);
    expect(fired.map((x) => [x.host, x.location])).toEqual([['web1', `(web1) ${addr.web1}->syslog`]]);
    const b = blockOf(a);
    const t = await targets(b.id);
    expect(t.server).toBe(true);
    expect(t.hosts.map((h) => [h.name, h.state])).toEqual([['web1', 'delivered'], ['web2', 'delivered']]);
    expect(t.summary).toMatch(/^enforced on 2\/2 hosts and the server/);

    const released = await api('POST', `/api/blocks/${b.id}/release`, { reason: 'false positive' });
    expect(released.status, released.body).toBe(200);
    expect(await watch(a, 'web1', 'open')).toBe(true);
    expect(await watch(a, 'web2', 'open')).toBe(true);
    expect(inSet('web1', a)).toBe(false);
    expect(inSet('web2', a)).toBe(false);
  });

  it("takes a line web2 sends claiming to be web1 as web2's: its alert, and the local response it triggers (web2's bouncer, not web1's)", async () => {
    const bystander = `10.${NET}.0.99`;
    const a = addr.att[3]!;
    appendFileSync(authLog('web2'), sshd('web1', `Failed password for admin from ${bystander} port ${sshPort++} ssh2`)
      + sshd('web1', `error: maximum authentication attempts exceeded for root from ${a} port ${sshPort++} ssh2 [preauth]`));
    expect(await watch(a, 'web2', 'drop')).toBe(true);
    for (const src of [bystander, a]) {
      const [alert, ...more] = await alerts(`srcip=${src}`);
      expect(more).toEqual([]);
      expect(alert).toMatchObject({ host: 'web2', location: `(web2) ${addr.web2}->syslog` });
      expect(alert!.full_log).toContain(' web1 sshd[');
      expect(await alerts(`srcip=${src}&host=web1`)).toEqual([]);
    }
    const b = blockOf(a);
    const t = await targets(b.id);
    expect(t.server).toBe(false);
    expect(t.hosts.map((h) => [h.name, h.state])).toEqual([['web2', 'delivered']]);
    // web1's bouncer has pulled since: nothing for it
    const pulled = db<{ last_pull_at: number }>("SELECT last_pull_at FROM hosts WHERE name = 'web2'")[0]!.last_pull_at;
    await until(() => db<{ last_pull_at: number }>("SELECT last_pull_at FROM hosts WHERE name = 'web1'")[0]!.last_pull_at > pulled, "web1's bouncer pulled after web2's got the block");
    expect(inSet('web1', a)).toBe(false);
    expect(await watch(a, 'web1', 'open', 1000)).toBe(true);
    expect(inSet('web2', a)).toBe(true);

    const released = await api('POST', `/api/blocks/${b.id}/release`, { reason: 'done' });
    expect(released.status, released.body).toBe(200);
    expect(await watch(a, 'web2', 'open')).toBe(true);
  });

  it('lets a second brute force back in on both hosts when its timeout passes', async () => {
    const a = addr.att[1]!;
    appendFileSync(authLog('web1'), bruteForce(a));
    expect(await watch(a, 'web1', 'drop')).toBe(true);
    expect(await watch(a, 'web2', 'drop')).toBe(true);
    expect(await watch(a, 'web1', 'open', 3 * TIMEOUT * 1000)).toBe(true);
    expect(await watch(a, 'web2', 'open', 3 * TIMEOUT * 1000)).toBe(true);
    expect(blockOf(a).state).toBe('expired');
  });

  it('loses and repeats nothing when Portcullis is SIGKILLed during a block and restarted', async () => {
    const a = addr.att[2]!;
    appendFileSync(authLog('web1'), bruteForce(a));
    expect(await watch(a, 'web1', 'drop')).toBe(true);
    expect(await watch(a, 'web2', 'drop')).toBe(true);
    const b = blockOf(a);
    const exited = new Promise((r) => server!.once('exit', r));
    server!.kill('SIGKILL');
    await exited;
    // the bouncers keep the ban while the server is away
    expect(inSet('web1', a) && inSet('web2', a)).toBe(true);
    await startServer();
    // rsyslog finds out that the connection is gone only when it writes to it, and what it wrote
    // then is lost (plain TCP syslog has no acknowledgement; rsyslog says so): web1 sends
    // harmless lines until one is received, so the next brute force (last test) is not that write
    await reconnected('web1');
    expect(await watch(a, 'web1', 'open', 3 * TIMEOUT * 1000)).toBe(true);
    expect(await watch(a, 'web2', 'open', 3 * TIMEOUT * 1000)).toBe(true);
    await until(() => deliveries(b.id).every((d) => d.removed_at !== null), 'both removals recorded', 10_000);
    expect(deliveries(b.id).map((d) => [d.host, d.added_at !== null, d.removed_at !== null])).toEqual([['web1', true, true], ['web2', true, true]]);
    expect(db('SELECT * FROM bouncer_sent WHERE value = ?', a)).toEqual([]);
    expect(blockOf(a).state).toBe('expired');
  });

  it('gives a restarted bouncer the full set (startup=true)', async () => {
    // the first attacker again, through web1's rsyslog reconnected to the restarted server: a
    // repeated offender, blocked for 1 min this time
    const a = addr.att[0]!;
    appendFileSync(authLog('web1'), bruteForce(a));
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
