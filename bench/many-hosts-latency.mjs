#!/usr/bin/env node
// Many hosts, detection to enforcement on another host: from appending the line that completes an
// SSH brute force to web1's auth.log until the attacker's address is in web2's nftables set, with
// the parts an admin runs (as e2e/firewall/bouncer.test.ts): a real `portcullis start` in a
// "central" network namespace (HTTPS on the main listener, <syslog protocol="tls"> on 6514, the
// certificates of `portcullis ca init`), Debian's rsyslogd in "web1" following its auth.log and
// forwarding it over TLS with web1's client certificate (`portcullis host cert`), and Debian's
// unchanged crowdsec-firewall-bouncer in "web2" (nftables mode, https + ca_cert_path) pulling every
// --update-frequency. The <active-response> targets web2 only (defined-agent), so nothing else acts.
// The bouncer polls: the figure's floor is up to one poll interval, which the output prints.
// The split comes from the server's own stamps (alert reception, block creation, web2's pull).
// Needs root (it makes its own namespaces, never the host's firewall); skipped otherwise.
// Usage: node bench/many-hosts-latency.mjs [--count N] [--update-frequency 1s] [--watch monitor|poll] [--every MS]
//   --watch monitor (default): `nft monitor` in web2's namespace, stamped as each element is added;
//   --watch poll: `nft list set ip crowdsec crowdsec-blacklists` every --every ms (default 15).
//   KEEP=1 leaves the work directory (every process's output in DIR/*.log).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ROOT, missing, nsRun, requireTools } from '../e2e/firewall/netns.mjs';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '40' },
    'update-frequency': { type: 'string', default: '1s' },
    watch: { type: 'string', default: 'monitor' },
    every: { type: 'string', default: '15' },
  },
});
const COUNT = Number(values.count);
const FREQ = values['update-frequency'];
const EVERY = Number(values.every);
if (!Number.isInteger(COUNT) || COUNT < 1) throw new Error(`--count must be a positive integer, not "${values.count}"`);
if (!/^\d+(ms|s)$/.test(FREQ)) throw new Error(`--update-frequency must be a Go duration such as 1s or 500ms, not "${FREQ}"`);
if (values.watch !== 'monitor' && values.watch !== 'poll') throw new Error(`--watch must be monitor or poll, not "${values.watch}"`);

const why = missing();
if (why) {
  console.log(`many-hosts-latency: skipped, ${why}`);
  process.exit(0);
}
const BOUNCER = '/usr/bin/crowdsec-firewall-bouncer';
const RSYSLOGD = '/usr/sbin/rsyslogd';
try {
  requireTools([['nft', 'nftables'], [RSYSLOGD, 'rsyslog'], ['/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so', 'rsyslog-gnutls'], [BOUNCER, 'crowdsec-firewall-bouncer']]);
} catch (e) {
  console.log(`many-hosts-latency: skipped, ${e.message}`);
  process.exit(0);
}

const CLI = join(ROOT, 'apps', 'server', 'bin', 'portcullis.js');
const TIMEOUT = 30; // seconds a block lasts (short: the set does not grow for the whole run)
const WAIT = 15_000; // ms an attack may take before it counts as lost
const NET = 248;
const tag = `pcm${process.pid}`;
const ns = { lan: `${tag}-lan`, central: `${tag}-central`, web1: `${tag}-web1`, web2: `${tag}-web2` };
const addr = { central: `10.${NET}.0.1`, web1: `10.${NET}.0.11`, web2: `10.${NET}.0.12` };
const url = `https://${addr.central}:8787`;
// attackers: addresses that only appear in the log lines (TEST-NET-2, then TEST-NET-3)
const attacker = (i) => (i < 250 ? `198.51.100.${i + 1}` : `203.0.113.${(i % 250) + 1}`);

const dir = mkdtempSync(join(tmpdir(), 'portcullis-many-hosts-'));
const home = join(dir, 'central');
const config = join(home, 'portcullis.conf');
const data = join(home, 'data');
const ca = join(home, 'ca');
const authLog = join(dir, 'web1', 'auth.log');
const children = [];
let made = false;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function ip(...args) {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}
function portcullis(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`portcullis ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}
/** Starts CMD inside a namespace (`ip netns exec` execs it: the pid is CMD's); output to DIR/NAME.log. */
function spawnIn(where, name, cmd, args, env = process.env) {
  const p = spawn('ip', ['netns', 'exec', where, cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(join(dir, `${name}.log`), { flags: 'a' });
  p.stdout.on('data', (b) => log.write(b));
  p.stderr.on('data', (b) => log.write(b));
  children.push(p);
  return p;
}

let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    // the bouncer first: on SIGTERM it removes its tables
    for (const c of [...children].reverse()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    const end = Date.now() + 3000;
    while (Date.now() < end && children.some((c) => c.exitCode === null && c.signalCode === null)) await sleep(50);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (made) for (const n of Object.values(ns)) spawnSync('ip', ['netns', 'del', n]);
    if (process.env.KEEP) console.log(`many-hosts-latency: kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    console.log(`\nmany-hosts-latency: ${sig}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

let port = 42000;
/** A line of sshd's as syslog writes it on web1. */
function sshd(message) {
  const d = new Date();
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (x) => String(x).padStart(2, '0');
  const ts = `${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  return `${ts} web1 sshd[${1000 + (port % 9000)}]: ${message}\n`;
}
const failed = (src) => sshd(`Failed password for root from ${src} port ${port++} ssh2`);

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Resolves with the URL once `portcullis start` says it runs. */
function running(proc, ms = 60_000) {
  return new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`portcullis start: no "running at" within ${ms} ms:\n${out}`)), ms);
    proc.stdout.on('data', (d) => {
      out += d.toString();
      const m = /running at (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`portcullis start exited (${code}):\n${out}`));
    });
  });
}

/** Addresses seen in web2's set, each with the wall time it was first seen. */
const seen = new Map();
function watchMonitor() {
  // `nft monitor` prints one line per element added: `add element ip crowdsec crowdsec-blacklists { 198.51.100.1 timeout ... }`
  const p = spawnIn(ns.web2, 'web2-nft-monitor', 'nft', ['monitor', 'new', 'elements']);
  readline.createInterface({ input: p.stdout }).on('line', (l) => {
    const t = Date.now();
    if (!/crowdsec-blacklists/.test(l)) return;
    for (const m of l.matchAll(/\b(\d+\.\d+\.\d+\.\d+)\b/g)) if (!seen.has(m[1])) seen.set(m[1], t);
  });
}
async function pollSet(value, until) {
  while (Date.now() < until) {
    const r = nsRun(ns.web2, 'nft', ['list', 'set', 'ip', 'crowdsec', 'crowdsec-blacklists']);
    const t = Date.now();
    for (const m of r.stdout.matchAll(/\b(\d+\.\d+\.\d+\.\d+)\b/g)) if (!seen.has(m[1])) seen.set(m[1], t);
    if (seen.has(value)) return;
    await sleep(EVERY);
  }
}
const inSet = (value) => new RegExp(`\\b${value.replace(/\./g, '\\.')}\\b`).test(nsRun(ns.web2, 'nft', ['list', 'set', 'ip', 'crowdsec', 'crowdsec-blacklists']).stdout);

async function until(check, what, ms = WAIT, every = 10) {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(every);
  }
}

async function main() {
  for (const d of [home, join(dir, 'web1'), join(dir, 'web2')]) mkdirSync(d, { recursive: true });
  writeFileSync(authLog, '');

  // The admin on the central host: a CA and the server's certificate, the config, the two hosts.
  portcullis(['ca', 'init', '--dir', ca, '--name', 'central', '--name', addr.central]);
  const tlsFiles = '<cert>ca/server.crt</cert><key>ca/server.key</key><client_ca>ca/ca.crt</client_ca>';
  writeFileSync(config, `<ossec_config>
  <command><name>firewall-drop</name><executable>firewall-drop</executable><timeout_allowed>yes</timeout_allowed></command>
  <!-- a brute force seen on any host: dropped by web2's bouncer -->
  <active-response><command>firewall-drop</command><location>defined-agent</location><agent_id>web2</agent_id><rules_group>portcullis_block,</rules_group><timeout>${TIMEOUT}</timeout></active-response>
  <portcullis>
    <listen>${addr.central}:8787</listen>
    <data_dir>${data}</data_dir>
    <tls>${tlsFiles}</tls>
    <syslog protocol="tls"><listen>0.0.0.0:6514</listen><allowed-ips>any</allowed-ips>${tlsFiles}</syslog>
    <journald>no</journald>
    <watch_ruleset>no</watch_ruleset>
    <log_level>warn</log_level>
  </portcullis>
</ossec_config>
`);
  const keys = {};
  for (const host of ['web1', 'web2']) {
    keys[host] = JSON.parse(portcullis(['host', 'add', host, '--json', '--config', config])).api_key;
    portcullis(['host', 'cert', host, '--ca', ca, '--out', join(dir, host, 'certs'), '--config', config]);
  }

  // The LAN: a bridge in its own namespace, one veth per host.
  made = true;
  for (const n of Object.values(ns)) ip('netns', 'add', n);
  ip('-n', ns.lan, 'link', 'add', 'br0', 'type', 'bridge');
  ip('-n', ns.lan, 'link', 'set', 'br0', 'up');
  for (const name of ['central', 'web1', 'web2']) {
    ip('-n', ns.lan, 'link', 'add', `v-${name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns[name]);
    ip('-n', ns.lan, 'link', 'set', `v-${name}`, 'master', 'br0', 'up');
    ip('-n', ns[name], 'link', 'set', 'lo', 'up');
    ip('-n', ns[name], 'link', 'set', 'eth0', 'up');
    ip('-n', ns[name], 'addr', 'add', `${addr[name]}/24`, 'dev', 'eth0');
  }

  const server = spawnIn(ns.central, 'portcullis', process.execPath, [CLI, 'start', '--config', config], {
    ...process.env, PORTCULLIS_AR_LOCK: join(dir, 'fw.lock'), PORTCULLIS_AR_LOG: join(dir, 'ar-scripts.log'),
  });
  const at = await running(server);
  if (at !== url) throw new Error(`the server runs at ${at}, not ${url}`);
  const db = new Database(join(data, 'portcullis.db'), { readonly: true, fileMustExist: true });
  try {
    const q = {
      lines: db.prepare("SELECT lines FROM hosts WHERE name = 'web1'").pluck(),
      startup: db.prepare("SELECT last_startup_at FROM hosts WHERE name = 'web2'").pluck(),
      alert: db.prepare('SELECT time FROM alerts WHERE srcip = ? AND rule_id = 5720 ORDER BY id DESC LIMIT 1').pluck(),
      block: db.prepare("SELECT b.created_at, d.added_at FROM blocks b JOIN block_deliveries d ON d.block_id = b.id JOIN hosts h ON h.id = d.host_id AND h.name = 'web2' WHERE b.ip = ? AND b.state != 'refused' ORDER BY b.id DESC LIMIT 1"),
    };

    // web1: rsyslogd follows auth.log (imfile) and sends each line as written over TLS (RFC 5425).
    const work = join(dir, 'web1', 'rsyslog');
    mkdirSync(work, { recursive: true });
    const certs = join(dir, 'web1', 'certs');
    const rconf = join(dir, 'web1', 'rsyslog.conf');
    writeFileSync(rconf, `global(workDirectory="${work}")
module(load="imfile")
template(name="asWritten" type="string" string="<%PRI%>%rawmsg%")
input(type="imfile" File="${authLog}" Tag="sshd" Facility="auth" Severity="info" ruleset="toPortcullis")
ruleset(name="toPortcullis") {
  action(type="omfwd" target="${addr.central}" port="6514" protocol="tcp"
    StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="central"
    TCP_Framing="octet-counted" template="asWritten"
    StreamDriver.CAFile="${certs}/ca.crt" StreamDriver.CertFile="${certs}/web1.crt" StreamDriver.KeyFile="${certs}/web1.key"
    action.resumeRetryCount="-1" action.resumeInterval="1")
}
`);
    const check = spawnSync(RSYSLOGD, ['-N1', '-f', rconf], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`rsyslogd -N1 -f ${rconf}: ${check.stderr}${check.stdout}`);
    spawnIn(ns.web1, 'web1-rsyslog', RSYSLOGD, ['-n', '-f', rconf, '-i', join(dir, 'web1', 'rsyslogd.pid')]);

    // web2: the bouncer, nftables mode, over HTTPS with the CA of `ca init`.
    if (values.watch === 'monitor') watchMonitor();
    const bconf = join(dir, 'web2', 'crowdsec-firewall-bouncer.yaml');
    writeFileSync(bconf, `mode: nftables
pid_dir: ${join(dir, 'web2')}/
update_frequency: ${FREQ}
daemonize: false
log_mode: stdout
log_level: info
api_url: ${url}/
api_key: ${keys.web2}
ca_cert_path: ${join(dir, 'web2', 'certs', 'ca.crt')}
disable_ipv6: false
deny_action: DROP
deny_log: false
supported_decisions_types:
  - ban
blacklists_ipv4: crowdsec-blacklists
blacklists_ipv6: crowdsec6-blacklists
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
    spawnIn(ns.web2, 'web2-bouncer', BOUNCER, ['-c', bconf]);
    await until(() => q.startup.get() !== null, "web2's bouncer made its startup pull", 30_000, 100);
    // rsyslog connects on its first line: harmless lines until one is received
    for (let i = 0; i < 15 && q.lines.get() === 0; i++) {
      appendFileSync(authLog, sshd('Server listening on 0.0.0.0 port 22.'));
      const end = Date.now() + 2000;
      while (Date.now() < end && q.lines.get() === 0) await sleep(50);
    }
    if (q.lines.get() === 0) throw new Error("web1's rsyslog sent nothing within 30 s (see web1-rsyslog.log)");

    const total = [];
    const parts = { read: [], block: [], pull: [], set: [] };
    const lost = [];
    // attack 0 warms up (first alert, first block, first element of the set) and is not counted.
    // Each attack starts right after the previous one reached the set, i.e. right after a pull:
    // a random pause of 0..one poll interval puts its line at a random phase of the bouncer's
    // ticker, as a real attack's is (without it every attack would wait almost a whole interval).
    const interval = Number(FREQ.replace(/m?s$/, '')) * (FREQ.endsWith('ms') ? 1 : 1000);
    for (let i = 0; i <= COUNT; i++) {
      const a = attacker(i);
      await sleep(Math.random() * interval);
      // the first four failed logins are read and counted first, so the time is that of the fifth
      const before = q.lines.get();
      appendFileSync(authLog, failed(a) + failed(a) + failed(a) + failed(a));
      await until(() => q.lines.get() >= before + 4, `the first four lines of attack ${i} received`);
      const t0 = Date.now();
      appendFileSync(authLog, failed(a));
      const end = t0 + WAIT;
      if (values.watch === 'poll') await pollSet(a, end);
      else while (!seen.has(a) && Date.now() < end) await sleep(2);
      if (i === 0) continue;
      if (!seen.has(a)) {
        lost.push(a);
        continue;
      }
      const t = seen.get(a);
      total.push(t - t0);
      const read = q.alert.get(a);
      const b = await until(() => { const r = q.block.get(a); return r?.added_at != null ? r : null; }, `web2's delivery row for ${a}`, 5000);
      if (read === undefined) throw new Error(`no rule 5720 alert stored for ${a}`);
      parts.read.push(read - t0);
      parts.block.push(b.created_at - read);
      parts.pull.push(b.added_at - b.created_at);
      parts.set.push(t - b.added_at);
    }
    if (values.watch === 'monitor' && total.length > 0 && !inSet(attacker(COUNT))) console.log('  (note: the last address was seen by nft monitor but is no longer in the set)');

    const sorted = (xs) => [...xs].sort((x, y) => x - y);
    const ms = (x) => `${Math.round(x)} ms`;
    const line = (xs) => { const s = sorted(xs); return `p50 ${ms(pct(s, 50))}  p90 ${ms(pct(s, 90))}  p99 ${ms(pct(s, 99))}  max ${ms(s.at(-1))}`; };
    const mean = (xs) => xs.reduce((x, y) => x + y, 0) / xs.length;
    console.log(`many-hosts-latency: append of the 5th failed SSH login to web1's auth.log → the address in web2's nft set`);
    console.log(`  path: rsyslogd imfile → TLS 6514 → portcullis (rule 5720, block for web2) → crowdsec-firewall-bouncer (nftables, update_frequency ${FREQ}, HTTPS) → set`);
    console.log(`  watched with ${values.watch === 'monitor' ? '`nft monitor new elements`' : `\`nft list set\` every ${EVERY} ms`} in web2's namespace`);
    if (total.length === 0) {
      console.log(`  no attack reached the set (${lost.length} lost); see the logs with KEEP=1`);
      process.exitCode = 1;
      return;
    }
    console.log(`  ${String(total.length).padStart(4)} attacks  ${line(total)}  mean ${ms(mean(total))}${lost.length ? `  (${lost.length} not in the set within ${WAIT / 1000} s)` : ''}`);
    console.log(`  the bouncer polls every ${FREQ}: up to one interval of this is the wait for its next pull (each attack starts at a random`);
    console.log(`  phase of that ticker, so that wait is uniform over 0..${FREQ}: p50 about half of it, p99 about all of it)`);
    console.log('  parts (server stamps, ms resolution):');
    console.log(`    line appended → alert received (rsyslog, TLS, decode, rules)  ${line(parts.read)}`);
    console.log(`    alert → block created (active response, web2's delivery row)  ${line(parts.block)}`);
    console.log(`    block → web2's bouncer pulled it (the poll wait)              ${line(parts.pull)}`);
    console.log(`    pulled → in the set (answer, bouncer, netlink)               ${line(parts.set)}`);
    console.log('    (a pull is stamped once its answer is written, so the last part can be 0 or -1 ms)');
  } finally {
    db.close();
  }
}

try {
  await main();
} catch (e) {
  console.error(`many-hosts-latency: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
