#!/usr/bin/env node
// Engine throughput: lines/second and peak memory on a 1,000,000-line corpus made with
// ../shared/corpus/gen-corpus.py, for the full OSSEC 4.2 ruleset (its etc/ossec.conf) and for ours.
// Usage: node bench/engine.mjs [--lines N] [--corpus FILE]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
import { syslogTime } from '@portcullis/engine';
import { loadContext, newEngine } from '../apps/server/dist/cli/context.js';

const root = resolve(import.meta.dirname, '..');
const shared = resolve(root, '..', 'shared');
const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, corpus: { type: 'string' } } });
const n = Number(values.lines);
const corpus = values.corpus ?? `/tmp/portcullis-bench-auth-${n}.log`;
if (!existsSync(corpus)) {
  console.log(`generating ${n} lines with gen-corpus.py → ${corpus}`);
  execFileSync('python3', [join(shared, 'corpus', 'gen-corpus.py'), String(n), corpus], { stdio: 'ignore' });
}
const lines = readFileSync(corpus, 'utf8').split('\n').filter(Boolean);
const times = lines.map((l) => syslogTime(l, 2024) ?? 0);

function run(label, ctx) {
  const engine = newEngine(ctx);
  // warm-up on a slice so the JIT settles, then a fresh engine for the measured pass
  for (let i = 0; i < Math.min(20000, lines.length); i++) engine.process(lines[i], 'bench', times[i]);
  const e = newEngine(ctx);
  let alerts = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i++) {
    const rs = e.process(lines[i], '/var/log/auth.log', times[i]);
    for (const r of rs) if (r.alert) alerts++;
  }
  const secs = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const rss = process.resourceUsage().maxRSS / 1024;
  gc();
  const heap = process.memoryUsage().heapUsed / 1048576; // corpus + this engine and its correlation state
  console.log(
    `${label.padEnd(34)} ${String(Math.round(lines.length / cpu)).padStart(9)} lines/s of CPU (${String(Math.round(lines.length / secs)).padStart(7)} wall)` +
      `   ${alerts} alerts   peak RSS ${rss.toFixed(0)} MiB (the corpus itself is in memory)   heap after GC ${heap.toFixed(0)} MiB`,
  );
}

console.log(`engine: ${lines.length} lines (${corpus}), one thread; rate by CPU time so other load on the machine does not skew it`);
run('OSSEC 4.2 ruleset (ossec dialect)', loadContext({ home: join(shared, 'compat', 'ossec-hids-4.2.0'), dialect: 'ossec' }));
run('Portcullis shipped ruleset', loadContext({}));
