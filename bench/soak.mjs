#!/usr/bin/env node
// Soak: a real `portcullis start` under mixed load for a long time (30 minutes by default), to show
// that memory stays bounded, the API stays responsive and nothing is lost while everything runs at
// once:
//   - a watched log file appended to at 5,000 lines/s (sshd, PAM and cron lines; some failures from
//     one-off addresses that must never be blocked, and brute forces that must be);
//   - syslog over UDP and over TCP (octet counting), and HTTP ingest with an API token;
//   - 5 dashboard clients on the live feed (socket.io, signed in as a viewer) that also page alerts;
//   - a viewer sending log tests back to back;
//   - /api/health probed 4 times a second.
// Every brute force (6 failed passwords from one new address, on one of the four ways in) must end
// in the active-response script's `add`, and its `delete` once the 60 s timeout has passed; every
// line sent must be read. Figures: RSS over time, /api/health p50/p99/max, log test latency, lines,
// alerts, blocks.
// Usage: node bench/soak.mjs [--minutes 30] [--file-rate 5000] [--prefill 1000000] [--cpu-prof DIR]
//   --prefill N stores N alerts before the start, so the retention cap (1M) is reached at once;
//   --cpu-prof DIR writes the server's CPU profile there when it exits.
import { createSocket } from 'node:dgram';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchHome, password, root, startServer } from './lib/server.mjs';

const require = createRequire(join(root, 'apps', 'server', 'package.json'));
const { io } = require('socket.io-client');

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '30' }, 'file-rate': { type: 'string', default: '5000' }, prefill: { type: 'string', default: '0' }, 'cpu-prof': { type: 'string' } },
});
const minutes = Number(values.minutes);
const fileRate = Number(values['file-rate']);
const TICK_MS = 100;
const BLOCK_TIMEOUT_S = 60;

async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

const udpPort = await freePort();
const tcpPort = await freePort();
const { dir, log, config, data } = benchHome(
  `<journald>no</journald><log_level>warn</log_level><active_response_dir>${'$HOME'}</active_response_dir>` +
    `<syslog protocol="udp">127.0.0.1:${udpPort}</syslog><syslog protocol="tcp">127.0.0.1:${tcpPort}</syslog>`,
  {
    extra: `<command><name>record</name><executable>record.sh</executable><timeout_allowed>yes</timeout_allowed></command>
  <active-response><command>record</command><location>local</location><rules_group>portcullis_block,</rules_group><timeout>${BLOCK_TIMEOUT_S}</timeout></active-response>`,
    users: [['bench', 'viewer'], ['boss', 'admin']],
  },
);
// The recording script: one line per call, written in one append so concurrent runs never interleave.
const arDir = join(dir, 'active-response');
mkdirSync(arDir);
const calls = join(dir, 'ar-calls.log');
writeFileSync(join(arDir, 'record.sh'), `#!/bin/sh\ncase "$1" in add|delete) echo "$1 $3" >> "${calls}" ;; check) exit 1 ;; esac\nexit 0\n`);
chmodSync(join(arDir, 'record.sh'), 0o755);
writeFileSync(config, readFileSync(config, 'utf8').replace('$HOME', arDir));

if (Number(values.prefill) > 0) await prefill(join(data, 'portcullis.db'), Number(values.prefill));
const { child, url } = await startServer({ config, data, nodeArgs: values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [] });
const pid = child.pid;

/** Stores `n` old alerts (as the soak's own lines make) straight into the database, before the start. */
async function prefill(file, n) {
  const t = performance.now();
  const { openDatabase } = await import(join(root, 'apps', 'server', 'dist', 'db', 'database.js'));
  const { AlertsRepository } = await import(join(root, 'apps', 'server', 'dist', 'modules', 'alerts', 'alerts.repository.js'));
  const db = openDatabase(file);
  const repo = new AlertsRepository(db);
  const start = Date.now() - n;
  const insert = db.transaction((from, count) => {
    for (let i = from; i < from + count; i++) {
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      repo.insert({
        time: start + i, eventTime: null, ruleId: 5710 + (i % 7), level: 5, description: 'sshd: Attempt to login using a non-existent user',
        groups: ['syslog', 'sshd', 'invalid_login', 'authentication_failed'], decoder: 'sshd', srcip: ip, user: `u${i % 1000}`, hostname: 'soak',
        programName: 'sshd', location: log, fullLog: `Dec  3 10:00:00 soak sshd[${i}]: Failed password for invalid user u${i % 1000} from ${ip} port 22 ssh2`, fields: {}, host: null,
      });
    }
  });
  for (let i = 0; i < n; i += 10_000) insert(i, Math.min(10_000, n - i));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  console.log(`prefilled ${n.toLocaleString('en')} alerts in ${((performance.now() - t) / 1000).toFixed(0)} s`);
}

async function signIn(username) {
  const r = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!r.ok) throw new Error(`sign-in as ${username}: ${r.status} ${await r.text()}`);
  const { csrf_token: csrf } = await r.json();
  return { cookie: r.headers.get('set-cookie').split(';')[0], csrf };
}
const viewer = await signIn('bench');
const admin = await signIn('boss');
const tokenRes = await fetch(`${url}/api/tokens`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
  body: JSON.stringify({ name: 'soak-ingest', scope: 'ingest' }),
});
if (!tokenRes.ok) throw new Error(`ingest token: ${tokenRes.status} ${await tokenRes.text()}`);
const ingestToken = (await tokenRes.json()).token;

// ---- the lines -------------------------------------------------------------------------------
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function stamp() {
  const d = new Date();
  return `${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${d.toTimeString().slice(0, 8)}`;
}
let seq = 0;
// Brute-forcing addresses come from 198.18.0.0/15 (a benchmarking range), one-off failures from
// 100.64.0.0/10; each address is used once, so a one-off can never add up to a block.
const attacker = (n) => `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
const oneOff = (n) => `100.${64 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`;
let attackers = 0;
let oneOffs = 0;
const expected = { file: [], udp: [], tcp: [], ingest: [] };
const lineOf = (body) => `${stamp()} soak sshd[${1000 + (seq++ % 30000)}]: ${body}`;
function noise(i) {
  switch (i % 10) {
    case 0:
      return lineOf(`Failed password for invalid user u${seq} from ${oneOff(oneOffs++)} port ${1024 + (seq % 60000)} ssh2`);
    case 1:
      return lineOf(`Accepted publickey for deploy from 10.20.${(seq >> 8) & 255}.${seq & 255} port ${1024 + (seq % 60000)} ssh2: ED25519 SHA256:abc`);
    case 2:
      return `${stamp()} soak CRON[${2000 + (seq++ % 9000)}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`;
    case 3:
      return `${stamp()} soak CRON[${2000 + (seq++ % 9000)}]: pam_unix(cron:session): session closed for user root`;
    default:
      return lineOf(`Connection closed by 10.30.${(seq >> 8) & 255}.${seq & 255} port ${1024 + (seq % 60000)} [preauth]`);
  }
}
function bruteForce(way) {
  const ip = attacker(attackers++);
  expected[way].push(ip);
  return Array.from({ length: 6 }, (_, k) => lineOf(`Failed password for root from ${ip} port ${40000 + k} ssh2`));
}

// ---- the load --------------------------------------------------------------------------------
const sent = { file: 0, udp: 0, tcp: 0, ingest: 0 };
const udp = createSocket('udp4');
const tcp = connect(tcpPort, '127.0.0.1');
await new Promise((ok, fail) => { tcp.once('connect', ok); tcp.once('error', fail); });
const frame = (line) => { const b = Buffer.from(`<38>${line}`); return `${b.length} <38>${line}`; };
let ingestBusy = false;
const ingestQueue = [];
let ingestErrors = 0;

let tick = 0;
function loadTick() {
  tick++;
  const perTick = Math.round((fileRate * TICK_MS) / 1000);
  const fileLines = [];
  if (tick % 10 === 0) fileLines.push(...bruteForce('file')); // 1 brute force a second in the file
  while (fileLines.length < perTick) fileLines.push(noise(fileLines.length));
  appendFileSync(log, `${fileLines.join('\n')}\n`);
  sent.file += fileLines.length;

  // UDP and TCP syslog: 100 lines/s each, a brute force every 2 s on each.
  const udpLines = tick % 20 === 5 ? bruteForce('udp') : [];
  while (udpLines.length < 10) udpLines.push(noise(udpLines.length + 1));
  for (const l of udpLines) udp.send(`<38>${l}`, udpPort, '127.0.0.1');
  sent.udp += udpLines.length;
  const tcpLines = tick % 20 === 10 ? bruteForce('tcp') : [];
  while (tcpLines.length < 10) tcpLines.push(noise(tcpLines.length + 1));
  tcp.write(tcpLines.map(frame).join(''));
  sent.tcp += tcpLines.length;

  // HTTP ingest: 100 lines/s, a brute force every 2 s; one request at a time, carrying whatever
  // has queued up while the previous one was answered.
  if (tick % 20 === 15) ingestQueue.push(...bruteForce('ingest'));
  for (let k = 0; k < 10; k++) ingestQueue.push(noise(k + 1));
  sendIngest();
}

function sendIngest() {
  if (!ingestBusy && ingestQueue.length > 0) {
    ingestBusy = true;
    const batch = ingestQueue.splice(0);
    fetch(`${url}/api/ingest?location=soak-ingest`, { method: 'POST', headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'text/plain' }, body: batch.join('\n') })
      .then(async (r) => { if (r.ok) sent.ingest += (await r.json()).accepted; else { ingestErrors++; ingestQueue.unshift(...batch); } })
      .catch(() => { ingestErrors++; ingestQueue.unshift(...batch); })
      .finally(() => { ingestBusy = false; });
  }
}

// 5 dashboard clients on the live feed, each paging alerts and blocks every 5 s.
const clients = [];
let liveReceived = 0;
let liveSkipped = 0;
for (let i = 0; i < 5; i++) {
  const s = io(url, { transports: ['websocket'], extraHeaders: { cookie: viewer.cookie } });
  s.on('alerts', (batch) => { liveReceived += batch.items.length; liveSkipped += batch.skipped; });
  clients.push(s);
}
let pageErrors = 0;
const pageLatency = new Map();
const pager = setInterval(() => {
  for (let i = 0; i < clients.length; i++) {
    for (const path of ['/api/alerts?limit=100', '/api/blocks?limit=50', '/api/stats']) {
      const t = performance.now();
      fetch(`${url}${path}`, { headers: { cookie: viewer.cookie } })
        .then(async (r) => {
          await r.arrayBuffer();
          if (!r.ok) pageErrors++;
          const key = path.split('?')[0];
          if (!pageLatency.has(key)) pageLatency.set(key, []);
          pageLatency.get(key).push(performance.now() - t);
        })
        .catch(() => pageErrors++);
    }
  }
}, 5000);

// A viewer sending log tests back to back (the live ruleset: drafts are for admins).
const logtestLatency = [];
const logtestStatus = new Map();
let running = true;
const logtestLoop = (async () => {
  const lines = Array.from({ length: 50 }, (_, i) => lineOf(`Failed password for invalid user t${i} from 192.0.2.${i} port ${2000 + i} ssh2`));
  while (running) {
    const t = performance.now();
    try {
      const r = await fetch(`${url}/api/logtest`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: viewer.cookie, 'x-csrf-token': viewer.csrf }, body: JSON.stringify({ lines }) });
      await r.arrayBuffer();
      logtestStatus.set(r.status, (logtestStatus.get(r.status) ?? 0) + 1);
      if (r.ok) logtestLatency.push(performance.now() - t);
      if (r.status === 429) await sleep(Number(r.headers.get('retry-after') ?? 1) * 1000);
    } catch {
      logtestStatus.set('error', (logtestStatus.get('error') ?? 0) + 1);
      await sleep(100);
    }
  }
})();

// /api/health 4 times a second; RSS every 10 s.
const health = [];
let healthFailures = 0;
const prober = setInterval(() => {
  const t = performance.now();
  fetch(`${url}/api/health`).then(async (r) => { await r.arrayBuffer(); if (!r.ok) healthFailures++; health.push(performance.now() - t); }).catch(() => healthFailures++);
}, 250);
const rss = [];
const rssOf = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const sampler = setInterval(() => rss.push({ at: performance.now(), mib: rssOf() }), 10_000);

const t0 = performance.now();
const end = t0 + minutes * 60_000;
let lastReport = t0;
let reported = 0;
console.log(`soak: ${minutes} min against ${url} (pid ${pid}); file ${fileRate} lines/s, UDP 100/s, TCP 100/s, ingest 100/s, 5 live clients, log tests back to back`);
for (let next = t0; performance.now() < end; ) {
  loadTick();
  next += TICK_MS;
  const now = performance.now();
  if (now - lastReport >= 60_000) {
    lastReport = now;
    const h = [...health].sort((a, b) => a - b);
    const minute = health.slice(reported).sort((a, b) => a - b);
    reported = health.length;
    console.log(`  ${((now - t0) / 60_000).toFixed(0).padStart(3)} min: RSS ${rssOf().toFixed(0)} MiB, health p99 ${h[Math.floor(h.length * 0.99)]?.toFixed(1)} ms so far, ` +
      `${minute[Math.floor(minute.length * 0.99)]?.toFixed(1)} ms this minute (max ${minute[minute.length - 1]?.toFixed(1)} ms), ` +
      `${attackers} brute forces sent, ${readCalls().add.size} blocked`);
  }
  if (next > now) await sleep(next - now);
}
const loadSeconds = (performance.now() - t0) / 1000;
running = false;
clearInterval(pager);
while (ingestBusy || ingestQueue.length > 0) {
  sendIngest();
  await sleep(50);
}

function readCalls() {
  const add = new Set();
  const del = new Set();
  if (existsSync(calls)) {
    for (const l of readFileSync(calls, 'utf8').split('\n')) {
      const [action, ip] = l.split(' ');
      if (action === 'add') add.add(ip);
      else if (action === 'delete') del.add(ip);
    }
  }
  return { add, del };
}

// Drain: every line read, every brute force blocked, and the last blocks released after their timeout.
const allExpected = Object.values(expected).flat();
const sources = async () => (await (await fetch(`${url}/api/sources`, { headers: { cookie: viewer.cookie } })).json()).items ?? [];
const drainUntil = performance.now() + (BLOCK_TIMEOUT_S + 60) * 1000;
let blocked;
for (;;) {
  blocked = readCalls();
  if (allExpected.every((ip) => blocked.add.has(ip) && blocked.del.has(ip))) break;
  if (performance.now() > drainUntil) break;
  await sleep(1000);
}
await logtestLoop;
clearInterval(prober);
clearInterval(sampler);

const srcs = await sources();
const q = (arr, p) => { const s = [...arr].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN; };
const firstRss = rss.filter((r) => r.at - t0 < 5 * 60_000).map((r) => r.mib);
const lastRss = rss.filter((r) => end - r.at < 5 * 60_000).map((r) => r.mib);
const missingAdd = allExpected.filter((ip) => !blocked.add.has(ip));
const missingDel = allExpected.filter((ip) => !blocked.del.has(ip));
const wrong = [...blocked.add].filter((ip) => !ip.startsWith('198.1'));
const dbBytes = ['portcullis.db', 'portcullis.db-wal'].reduce((n, f) => n + (existsSync(join(data, f)) ? statSync(join(data, f)).size : 0), 0);

console.log(`\nsoak results after ${(loadSeconds / 60).toFixed(1)} min of load:`);
console.log(`  lines sent: file ${sent.file.toLocaleString('en')}, UDP ${sent.udp.toLocaleString('en')}, TCP ${sent.tcp.toLocaleString('en')}, ingest accepted ${sent.ingest.toLocaleString('en')} (${ingestErrors} ingest requests failed and were resent)`);
console.log(`  lines read by the server per source kind: ${srcs.map((s) => `${s.kind} ${s.lines_read.toLocaleString('en')}`).join(', ')}`);
console.log(`  brute forces: ${allExpected.length} sent (file ${expected.file.length}, UDP ${expected.udp.length}, TCP ${expected.tcp.length}, ingest ${expected.ingest.length}); ` +
  `blocked ${allExpected.length - missingAdd.length}, released after timeout ${allExpected.length - missingDel.length}; ` +
  `missing add ${missingAdd.length}${missingAdd.length ? ` (${Object.entries(expected).map(([way, ips]) => `${way} ${ips.filter((ip) => !blocked.add.has(ip)).length}`).join(', ')})` : ''}, missing delete ${missingDel.length}; blocks of addresses that never brute-forced: ${wrong.length}`);
console.log(`  /api/health: ${health.length.toLocaleString('en')} probes, p50 ${q(health, 0.5).toFixed(1)} ms, p99 ${q(health, 0.99).toFixed(1)} ms, max ${q(health, 1).toFixed(1)} ms, ${healthFailures} failed`);
console.log(`  log tests (50 lines, viewer): ${logtestLatency.length.toLocaleString('en')} answered, p50 ${q(logtestLatency, 0.5).toFixed(0)} ms, p99 ${q(logtestLatency, 0.99).toFixed(0)} ms; statuses ${[...logtestStatus].map(([k, v]) => `${k}×${v}`).join(', ')}`);
console.log(`  live feed: ${liveReceived.toLocaleString('en')} alerts pushed to 5 clients, ${liveSkipped.toLocaleString('en')} skipped by the per-client cap; ${pageErrors} page requests failed`);
console.log(`  dashboard requests: ${[...pageLatency].map(([k, v]) => `${k} p50 ${q(v, 0.5).toFixed(0)} ms, p99 ${q(v, 0.99).toFixed(0)} ms`).join('; ')}`);
console.log(`  RSS: first 5 min max ${Math.max(...firstRss).toFixed(0)} MiB, last 5 min max ${Math.max(...lastRss).toFixed(0)} MiB, overall max ${Math.max(...rss.map((r) => r.mib)).toFixed(0)} MiB; database ${(dbBytes / 2 ** 20).toFixed(0)} MiB`);

for (const s of clients) s.close();
udp.close();
tcp.destroy();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(dir, { recursive: true, force: true });
process.exitCode = missingAdd.length + wrong.length > 0 ? 1 : 0;
