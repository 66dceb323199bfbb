#!/usr/bin/env node
// Bench: 50 simulated CrowdSec bouncers polling /v1/decisions/stream every second against 10,000
// active decisions delivered to each (500,000 delivery rows). Prints the startup answer (full set)
// time, the p50/p99 of a poll answer in the steady state, and the server's CPU over that window.
// The hosts and blocks are written into the database between a first start (migrations) and the
// measured one, as registered hosts and blocks for hosts only would be.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { benchHome, startServer } from './lib/server.mjs';

// Usage: node bench/bouncers.mjs [--cpu-prof DIR] (the server's CPU profile, written when it exits)
const { values } = parseArgs({ options: { 'cpu-prof': { type: 'string' } } });
const HOSTS = 50;
const DECISIONS = 10_000;
const SECONDS = 20;

const home = benchHome('<journald>no</journald><watch_ruleset>no</watch_ruleset>', { users: [] });
const first = await startServer(home);
first.child.kill('SIGTERM');
await new Promise((r) => first.child.once('exit', r));

const db = new Database(join(home.data, 'portcullis.db'));
const sha = (s) => createHash('sha512').update(s).digest('hex');
const keys = [];
const now = Date.now();
db.transaction(() => {
  const host = db.prepare('INSERT INTO hosts (name, api_key_hash, ingest_token_hash, created_at) VALUES (?, ?, ?, ?)');
  for (let i = 0; i < HOSTS; i++) {
    const key = randomBytes(32).toString('base64').replace(/=+$/, '');
    keys.push(key);
    host.run(`web${i + 1}`, sha(key), sha(`token-${i}-${key}`), now);
  }
  const block = db.prepare(`INSERT INTO blocks (ip, command, executable, protocol, origin, state, timeout, offense, hits, created_at, updated_at, expires_at, server_script, rule_id)
    VALUES (?, 'firewall-drop', 'firewall-drop', 'ossec', 'alert', 'active', 7200, 1, 1, ?, ?, ?, 0, 5712)`);
  const delivery = db.prepare('INSERT INTO block_deliveries (block_id, host_id) SELECT ?, id FROM hosts');
  for (let i = 0; i < DECISIONS; i++) {
    const ip = i % 5 === 0 ? `2001:db8::${i.toString(16)}` : `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    const id = Number(block.run(ip, now, now, now + 7200_000).lastInsertRowid);
    delivery.run(id);
  }
})();
db.close();

const { child, url } = await startServer({ ...home, nodeArgs: values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof']}`] : [] });
const ticks = () => {
  const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, clock ticks (100/s)
};

async function poll(key, startup) {
  const t = performance.now();
  const res = await fetch(`${url}/v1/decisions/stream?startup=${startup}`, { headers: { 'x-api-key': key, 'user-agent': 'bench-bouncer/1.0' } });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return { ms: performance.now() - t, n: body.new?.length ?? 0 };
}

const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const startups = [];
const s0 = ticks();
for (const key of keys) {
  const r = await poll(key, true);
  if (r.n !== DECISIONS) throw new Error(`startup answer had ${r.n} decisions, not ${DECISIONS}`);
  startups.push(r.ms);
}
const startupCpu = ((ticks() - s0) * 10) / HOSTS;

// Every bouncer restarting at once (a fleet-wide package upgrade): how long until the last one has
// its full set, and what a plain poll of another bouncer waits meanwhile.
const a0 = ticks();
const b0 = performance.now();
let pollDuring = null;
const together = Promise.all(keys.slice(1).map((key) => poll(key, true)));
await new Promise((r) => setTimeout(r, 20));
pollDuring = (await poll(keys[0], false)).ms;
const all = await together;
if (all.some((r) => r.n !== DECISIONS)) throw new Error('a startup answer at once lacked decisions');
const togetherMs = performance.now() - b0;
const togetherCpu = (ticks() - a0) * 10;

const polls = [];
const t0 = ticks();
const w0 = performance.now();
await Promise.all(keys.map(async (key, i) => {
  await new Promise((r) => setTimeout(r, (i * 1000) / HOSTS));
  const end = w0 + SECONDS * 1000;
  while (performance.now() < end) {
    const started = performance.now();
    polls.push((await poll(key, false)).ms);
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - started))));
  }
}));
const cpu = (ticks() - t0) / 100 / ((performance.now() - w0) / 1000);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));

console.log(`${HOSTS} bouncers, ${DECISIONS} active decisions each (${HOSTS * DECISIONS} deliveries)`);
console.log(`startup answer (${DECISIONS} decisions, one at a time): p50 ${pct(startups, 50).toFixed(1)} ms, max ${Math.max(...startups).toFixed(1)} ms as the bouncer sees it; server CPU ${startupCpu.toFixed(0)} ms each`);
console.log(`${HOSTS - 1} startups at once: all answered in ${togetherMs.toFixed(0)} ms, server CPU ${togetherCpu} ms; a plain poll sent meanwhile waited ${pollDuring.toFixed(0)} ms`);
console.log(`steady polls: ${polls.length} in ${SECONDS} s, p50 ${pct(polls, 50).toFixed(2)} ms, p99 ${pct(polls, 99).toFixed(2)} ms`);
console.log(`server CPU while 50 bouncers poll every second: ${(cpu * 100).toFixed(1)} % of one core`);
