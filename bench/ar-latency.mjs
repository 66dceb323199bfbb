#!/usr/bin/env node
// Detection-to-enforcement latency: from appending the line that completes an SSH brute force to
// the attacker's packets being dropped, through the whole path (file tail → engine → SQLite →
// decision → firewall-drop.sh add → nftables/iptables). A real server runs inside a network
// namespace of its own; an attacker namespace with one address per attack probes it over TCP
// (bounded attempts, 1 ms apart), so the time is that of the first attempt the firewall dropped.
// Needs root (namespaces); each backend is skipped when its tools are missing.
// Usage: node bench/ar-latency.mjs [--attacks N] [--backend nftables|iptables]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Lab, backends, bruteForce, missing, waitForLine, writeHome } from '../e2e/firewall/netns.mjs';

const { values } = parseArgs({ options: { attacks: { type: 'string', default: '100' }, backend: { type: 'string' } } });
const attacks = Number(values.attacks);
const why = missing();
if (why) {
  console.log(`ar-latency: skipped, ${why}`);
  process.exit(0);
}

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function run(backend, net) {
  const dir = mkdtempSync(join(tmpdir(), `pc-bench-${backend}-`));
  const home = writeHome(dir, { timeout: 3600 });
  const lab = new Lab({ tag: `bn${backend.slice(0, 3)}`, net, attackers: attacks + 1 });
  const env = { ...process.env, PORTCULLIS_FW_BACKEND: backend, PORTCULLIS_AR_LOCK: join(dir, 'fw.lock'), PORTCULLIS_AR_LOG: join(dir, 'ar-scripts.log') };
  const out = [];
  const t0s = new Map();
  let lost = 0;
  let breakdown = null;
  try {
    await lab.up();
    const server = lab.spawnIn(lab.srv, [join(import.meta.dirname, '..', 'e2e', 'firewall', 'serve.mjs'), home.config, home.data, '127.0.0.1:8787'], env);
    await waitForLine(server, 'ready');
    // attack 0 warms up (its add makes the table and sets), and is not counted
    for (let i = 0; i <= attacks; i++) {
      const ip = lab.att4[i];
      bruteForce(home.log, ip, 4);
      await sleep(40); // the first four attempts are read and counted
      const t0 = now();
      t0s.set(ip, t0);
      bruteForce(home.log, ip, 1);
      const r = await lab.watch(ip, lab.srv4, 'drop', 3000, 1);
      if (i === 0) continue;
      if (r.ok) out.push(r.at - t0);
      else lost++;
    }
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    // where the time goes: line read → add started (tail, engine, SQLite, decision), and the script
    const db = new Database(join(home.data, 'portcullis.db'), { readonly: true });
    const rows = db.prepare(`SELECT b.ip, a.time AS read, r.started_at - a.time AS decide, r.duration_ms AS script FROM ar_runs r
      JOIN blocks b ON b.id = r.block_id JOIN alerts a ON a.id = b.alert_id WHERE r.action = 'add' ORDER BY r.id`).all().slice(1);
    db.close();
    const sorted = (xs) => xs.sort((a, b) => a - b);
    breakdown = {
      read: sorted(rows.map((r) => Math.max(0, r.read - t0s.get(r.ip)))),
      decide: sorted(rows.map((r) => r.decide)),
      script: sorted(rows.map((r) => r.script)),
    };
  } finally {
    await lab.down();
    rmSync(dir, { recursive: true, force: true });
  }
  const s = [...out].sort((a, b) => a - b);
  const f = (x) => `${x.toFixed(1)} ms`;
  console.log(
    `${backend.padEnd(9)} ${String(s.length).padStart(4)} attacks  p50 ${f(pct(s, 50))}  p90 ${f(pct(s, 90))}  p99 ${f(pct(s, 99))}  max ${f(s.at(-1))}` +
      `${lost ? `  (${lost} not dropped within 3 s)` : ''}  ${pct(s, 99) < 100 ? 'p99 under the 100 ms target' : 'p99 OVER the 100 ms target'}`,
  );
  if (breakdown && breakdown.script.length > 0) {
    const { read, decide, script } = breakdown;
    const part = (name, xs) => `${name} p50 ${f(pct(xs, 50))} p99 ${f(pct(xs, 99))}`;
    console.log(`${''.padEnd(9)} parts: ${part('written → read', read)}; ${part('read → add started', decide)}; ${part('firewall-drop.sh add (whole script)', script)}`);
  }
}

console.log(`ar-latency: append of the 5th failed SSH login → attacker's TCP SYN dropped, ${attacks} attackers per backend (one address each)`);
const have = backends();
for (const [backend, net] of [['nftables', 253], ['iptables', 254]]) {
  if (values.backend && values.backend !== backend) continue;
  if (!have[backend]) {
    console.log(`${backend}: skipped (tools not installed)`);
    continue;
  }
  await run(backend, net);
}
