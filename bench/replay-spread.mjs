#!/usr/bin/env node
// A spread-out brute force: `portcullis replay` of lines that each come from an address never seen
// before (a botnet trying one password per address), against the bench's usual corpus, where
// attackers come back. Correlation keeps per-source state for same_source_ip rules; this is what an
// attacker who never repeats an address costs it. Wall seconds, best of N, interleaved; the OSSEC
// 4.2 home and the shipped rules, on the default threads and on one.
// Usage: node bench/replay-spread.mjs [--lines N] [--runs N]
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cli, ossecHome, root } from './lib/server.mjs';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' } } });
const n = Number(values.lines);
const runs = Math.max(1, Number(values.runs));
if (!existsSync(join(root, 'apps', 'server', 'dist', 'cli.bundle.cjs'))) {
  console.log('replay-spread: the server is not built (npm run build); skipped');
  process.exit(0);
}

/** `n` failed logins, 20 a second from 2024-03-04 00:00:00, each from a distinct address. */
function spreadCorpus() {
  const file = `/tmp/portcullis-bench-spread-${n}.log`;
  if (existsSync(file)) return file;
  const months = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
  const start = Date.UTC(2024, 2, 4);
  const parts = [];
  for (let i = 0; i < n; i++) {
    const d = new Date(start + Math.floor(i / 20) * 1000);
    const ts = `${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${d.toISOString().slice(11, 19)}`;
    const ip = `${10 + ((i >> 16) % 200)}.${(i >> 8) & 255}.${i & 255}.${((i * 7) % 250) + 1}`;
    parts.push(`${ts} web1 sshd[${1000 + (i % 5000)}]: Failed password for user${i % 9973} from ${ip} port ${1024 + (i % 60000)} ssh2\n`);
  }
  writeFileSync(file, parts.join(''));
  return file;
}

const corpus = spreadCorpus();
const contenders = [
  ['OSSEC 4.2 home', ['--home', ossecHome, '--dialect', 'ossec']],
  ['OSSEC 4.2 home, --threads 1', ['--home', ossecHome, '--dialect', 'ossec', '--threads', '1']],
  ['shipped rules', []],
  ['shipped rules, --threads 1', ['--threads', '1']],
];
const best = contenders.map(() => Infinity);
const rss = contenders.map(() => 0);
for (let run = 0; run < runs; run++) {
  contenders.forEach(([name, args], i) => {
    const t0 = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, 'replay', corpus, '--json', '--year', '2024', '--no-overrides', ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, TZ: 'UTC' } });
    const secs = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`replay (${name}) exited ${r.status ?? r.signal}: ${r.stderr}`);
    const rep = JSON.parse(r.stdout);
    if (rep.lines !== n) throw new Error(`replay read ${rep.lines} lines of ${n}`);
    best[i] = Math.min(best[i], secs);
    rss[i] = Math.max(rss[i], Number(r.stderr.trim().split('\n').pop()) / 1024);
  });
}
const fmt = (x) => Math.round(x).toLocaleString('en-US');
console.log(`replay of a spread-out brute force: ${fmt(n)} failed logins, each from a new address (${corpus}); best of ${runs}, interleaved`);
contenders.forEach(([name], i) => console.log(`  ${name.padEnd(30)} ${fmt(n / best[i]).padStart(9)} lines/s  ${best[i].toFixed(2)} s  peak RSS ${rss[i].toFixed(0)} MiB`));
console.log('Compare with replay.mjs (attackers that come back): the difference is what never repeating an address costs correlation.');
