#!/usr/bin/env node
// End-to-end server ingest: a real `portcullis start` process tails a real file; lines are
// appended to it and the figures come from what is committed in SQLite and pushed over socket.io.
//  1. sustained ingest: the whole corpus appended as fast as the disk takes it; lines/s until the
//     file position committed with the alerts reaches the end of the file; the server's CPU, and the
//     ingest thread's garbage-collection pauses (from /metrics: what it holds on to shows there first);
//     Meanwhile the dashboard's API is asked at a steady pace, a round every --probe-ms (default 50;
//     a slow round starts the next at once): /api/health, and a signed-in viewer's
//     /api/alerts?limit=50): p50/p99/max, the answer time while the server ingests at full speed;
//  2. latency at 1,000 lines/s: append → alert received by a socket.io client, p50/p99.
// Usage: node bench/server-ingest.mjs [--lines N] [--seconds S] [--probe-ms MS] [--cpu-prof DIR] (the server's CPU profile, written when it exits)
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { benchHome, password, root, startServer } from './lib/server.mjs';

const require = createRequire(join(root, 'apps', 'server', 'package.json'));
const Database = require('better-sqlite3');
const { io } = require('socket.io-client');
/** CPU seconds (user + system) of process `pid` so far, all its threads (Linux /proc), or NaN. */
function serverCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

const { values } = parseArgs({ options: { lines: { type: 'string', default: '500000' }, seconds: { type: 'string', default: '10' }, 'cpu-prof': { type: 'string' }, 'probe-ms': { type: 'string', default: '50' } } });
const probeMs = Number(values['probe-ms']);
const n = Number(values.lines);

const corpus = `/tmp/portcullis-bench-auth-${n}.log`;
if (!existsSync(corpus)) {
  console.log(`generating ${n} lines with gen-corpus.py → ${corpus}`);
  execFileSync('python3', [resolve(root, '..', 'shared', 'corpus', 'gen-corpus.py'), String(n), corpus], { stdio: 'ignore' });
}

const { dir, log, config, data } = benchHome('<journald>no</journald><log_level>warn</log_level><expand_repeated>yes</expand_repeated>');
const start = () => startServer({ config, data, nodeArgs: values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [] });

const { child, url } = await start();
const db = new Database(join(data, 'portcullis.db'), { readonly: true });
const committed = () => db.prepare('SELECT offset FROM file_positions WHERE path = ?').pluck().get(log) ?? 0;
const alerts = () => db.prepare('SELECT COUNT(*) FROM alerts').pluck().get();

try {
  const login = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password }) });
  const cookie = login.headers.get('set-cookie').split(';')[0];

  // 1. sustained ingest, with the API asked at a steady pace meanwhile (the same load whatever the answer time)
  const text = readFileSync(corpus);
  const api = { '/api/health': [], '/api/alerts?limit=50': [] };
  // One round first, not counted: a route's first answer (its code compiled, the readiness checks
  // run once) says nothing about ingest; it is printed apart.
  const cold = [];
  for (const path of Object.keys(api)) {
    const t = performance.now();
    await (await fetch(`${url}${path}`, { headers: { cookie } })).arrayBuffer();
    cold.push(`${path} ${(performance.now() - t).toFixed(1)} ms`);
  }
  let ingesting = true;
  const probing = (async () => {
    while (ingesting) {
      const round = performance.now();
      for (const [path, times] of Object.entries(api)) {
        const t = performance.now();
        const r = await fetch(`${url}${path}`, { headers: { cookie } });
        await r.arrayBuffer();
        if (r.ok) times.push(performance.now() - t);
      }
      await sleep(Math.max(0, probeMs - (performance.now() - round)));
    }
  })();
  const size = text.length;
  // The ingest thread's GC pauses, from /metrics (the thread reports its counters every 500 ms).
  const gcSeconds = async () => Number(/^portcullis_ingest_gc_seconds_total (\S+)$/m.exec(await (await fetch(`${url}/metrics`, { headers: { cookie } })).text())?.[1]);
  const gc0 = await gcSeconds();
  const cpu0 = serverCpu(child.pid);
  const t0 = performance.now();
  // Appended off this process's event loop (libuv's threads), so the probes' answer times do not
  // include the bench writing 50 MB.
  for (let off = 0; off < size; off += 4 << 20) await appendFile(log, text.subarray(off, Math.min(size, off + (4 << 20))));
  const appended = performance.now();
  while (committed() < size) await sleep(20);
  const secs = (performance.now() - t0) / 1000;
  const cpu = serverCpu(child.pid) - cpu0;
  ingesting = false;
  await probing;
  const stored = alerts();
  await sleep(600);
  const gc = (await gcSeconds()) - gc0;
  console.log(`sustained ingest: ${n.toLocaleString('en')} lines in ${secs.toFixed(2)} s = ${Math.round(n / secs).toLocaleString('en')} lines/s end to end ` +
    `(file → engine → ${stored.toLocaleString('en')} alerts committed in SQLite; appending took ${((appended - t0) / 1000).toFixed(2)} s)`);
  console.log(`  the server's CPU meanwhile: ${cpu.toFixed(2)} s, all its threads (${Math.round(n / cpu).toLocaleString('en')} lines per CPU second; steadier than wall time when others share the machine)`);
  console.log(`  of which the ingest thread paused for garbage collection: ${gc.toFixed(2)} s (portcullis_ingest_gc_seconds_total)`);
  for (const [path, times] of Object.entries(api)) {
    times.sort((a, b) => a - b);
    const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))]?.toFixed(1);
    console.log(`  meanwhile ${path}: ${times.length} answers, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
  }
  console.log(`  (before the ingest, each route's first answer: ${cold.join(', ')})`);

  // 2. latency at 1,000 lines/s, append → socket.io
  const socket = io(url, { transports: ['websocket'], extraHeaders: { cookie } });
  await new Promise((ok, fail) => { socket.once('connect', ok); socket.once('connect_error', fail); });
  const sentAt = new Map();
  const latencies = [];
  let skipped = 0;
  socket.on('alerts', (batch) => {
    const now = performance.now();
    skipped += batch.skipped;
    for (const a of batch.items) {
      const m = /port (\d+) ssh2/.exec(a.full_log);
      const t = m && sentAt.get(Number(m[1]) - 1);
      if (t !== undefined && t !== null) latencies.push(now - t);
    }
  });
  const seconds = Number(values.seconds);
  const total = seconds * 1000;
  const t1 = performance.now();
  const stamp = new Date().toString().slice(4, 24).replace(/^(\w{3}) 0/, '$1  ');
  for (let i = 0; i < total; ) {
    const due = t1 + i; // one line per millisecond, written in 10-line slices
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    let chunk = '';
    const now = performance.now();
    for (let k = 0; k < 10 && i < total; k++, i++) {
      sentAt.set(i, now);
      chunk += `${stamp} bench sshd[${1000 + (i % 5000)}]: Failed password for invalid user u${i} from 198.18.${(i >> 8) & 255}.${i & 255} port ${i + 1} ssh2\n`;
    }
    appendFileSync(log, chunk);
  }
  await sleep(1000);
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]?.toFixed(1);
  console.log(`latency at 1,000 lines/s for ${seconds} s: append → socket.io p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms ` +
    `(${latencies.length.toLocaleString('en')} of ${total.toLocaleString('en')} alerts received, ${skipped} skipped by the live cap)`);
  socket.close();
} finally {
  db.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
