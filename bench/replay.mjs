#!/usr/bin/env node
// Side by side on one 1,000,000-line auth log, in one run (issue 11): sshguard's own parser (C,
// Debian's sshg-parser, fetched by scripts/sshguard.mjs), `portcullis replay` end to end as a user
// runs it (a child process, start-up included) with the OSSEC 4.2 home and with the shipped rules,
// and the engine alone on lines already in memory. Wall time, best of N, runs interleaved so load
// from others on the machine falls on every contender alike; lines/s (wall and per CPU second) and
// the ratio to sshguard.
// Usage: node bench/replay.mjs [--lines N] [--corpus FILE] [--runs N] [--no-engine]
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sshgParser } from '../scripts/sshguard.mjs';

const root = resolve(import.meta.dirname, '..');
const shared = resolve(root, '..', 'shared');
const ossecHome = join(shared, 'compat', 'ossec-hids-4.2.0');
const cli = join(root, 'apps', 'server', 'bin', 'portcullis.js');
const { values } = parseArgs({
  options: { lines: { type: 'string', default: '1000000' }, corpus: { type: 'string' }, runs: { type: 'string', default: '3' }, 'no-engine': { type: 'boolean', default: false } },
});
const n = Number(values.lines);
const runs = Number(values.runs);
const corpus = values.corpus ?? `/tmp/portcullis-bench-auth-${n}.log`;
if (!existsSync(corpus)) {
  console.log(`generating ${n} lines with gen-corpus.py → ${corpus}`);
  execFileSync('python3', [join(shared, 'corpus', 'gen-corpus.py'), String(n), corpus], { stdio: 'ignore' });
}
if (!existsSync(join(root, 'apps', 'server', 'dist', 'cli.js'))) {
  console.error('bench/replay: the server is not built; run `npm run build` first');
  process.exit(1);
}
const lineCount = readFileSync(corpus).reduce((k, b) => (b === 10 ? k + 1 : k), 0);

/** CPU seconds (user + system) of this process's waited-for children, from /proc (Linux), or NaN. */
function childrenCpu() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100; // cutime, cstime in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

/** Runs a child to completion: its wall and CPU seconds and the spawnSync result. */
function timedChild(cmd, args, opts) {
  const c0 = childrenCpu();
  const t0 = performance.now();
  const r = spawnSync(cmd, args, opts);
  return { secs: (performance.now() - t0) / 1000, cpu: childrenCpu() - c0, r };
}

/** A contender: `once()` runs it and returns { secs, cpu, note? } or throws. */
const contenders = [];

const sshg = sshgParser();
if (sshg.error) console.log(`sshguard: not measured (${sshg.error})`);
else
  contenders.push({
    name: `sshguard ${sshg.version} sshg-parser (C)`,
    sshguard: true,
    once() {
      const fd = openSync(corpus, 'r');
      try {
        const { secs, cpu, r } = timedChild(sshg.parser, [], { stdio: [fd, 'ignore', 'inherit'] });
        if (r.status !== 0) throw new Error(`sshg-parser exited ${r.status ?? r.signal}`);
        return { secs, cpu };
      } finally {
        closeSync(fd);
      }
    },
  });

function replayContender(name, extra) {
  return {
    name,
    once() {
      const args = [cli, 'replay', corpus, '--json', '--year', '2024', '--no-overrides', ...extra];
      const { secs, cpu, r } = timedChild(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
      if (r.status !== 0) throw new Error(`portcullis replay exited ${r.status ?? r.signal}`);
      const rep = JSON.parse(r.stdout.toString());
      if (rep.lines !== lineCount) throw new Error(`replay read ${rep.lines} lines, the file has ${lineCount}`);
      const alerts = Object.values(rep.alerts).reduce((a, b) => a + b, 0);
      return { secs, cpu, note: `its loop ${fmt(rep.lines_per_second)} lines/s; ${alerts} alerts, ${rep.blocks.length} blocks` };
    },
  };
}
// As a user runs it (by default a reader thread takes over once it is ready, on two cores or more),
// and on one thread, for the CPU it costs and for one-core hosts.
contenders.push(replayContender('portcullis replay, OSSEC 4.2 home', ['--home', ossecHome, '--dialect', 'ossec']));
contenders.push(replayContender('portcullis replay, OSSEC 4.2 home, --threads 1', ['--home', ossecHome, '--dialect', 'ossec', '--threads', '1']));
contenders.push(replayContender('portcullis replay, shipped rules', []));
contenders.push(replayContender('portcullis replay, shipped rules, --threads 1', ['--threads', '1']));

if (!values['no-engine']) {
  // The engine alone, as bench/engine.mjs measures it: lines and times already in memory, a warm-up
  // on a slice, then a fresh engine over the whole corpus.
  const { syslogTime } = await import('@portcullis/engine');
  const { loadContext, newEngine } = await import('../apps/server/dist/cli/context.js');
  const lines = readFileSync(corpus, 'utf8').split('\n').filter(Boolean);
  const times = lines.map((l) => syslogTime(l, 2024) ?? 0);
  const engineContender = (name, ctx) => ({
    name,
    once() {
      const warm = newEngine(ctx);
      for (let i = 0; i < Math.min(20000, lines.length); i++) warm.process(lines[i], 'bench', times[i]);
      const e = newEngine(ctx);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < lines.length; i++) e.processLine(lines[i], corpus, times[i]);
      const c = process.cpuUsage(c0);
      return { secs: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
    },
  });
  contenders.push(engineContender('engine alone, OSSEC 4.2 ruleset', loadContext({ home: ossecHome, dialect: 'ossec' })));
  contenders.push(engineContender('engine alone, shipped ruleset', loadContext({})));
}

function fmt(x) {
  return Math.round(x).toLocaleString('en-US');
}

console.log(`replay side by side: ${fmt(lineCount)} lines (${corpus}), ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}; best of ${runs} runs, interleaved`);
const results = contenders.map(() => []);
for (let run = 0; run < runs; run++) contenders.forEach((c, i) => results[i].push(c.once()));
const best = results.map((rs) => rs.reduce((a, b) => (b.secs < a.secs ? b : a)));
const bestCpu = results.map((rs) => Math.min(...rs.map((r) => r.cpu)));
const base = contenders.findIndex((c) => c.sshguard);
console.log(`${'contender'.padEnd(48)} ${'lines/s'.padStart(9)} ${'× sshguard'.padStart(10)} ${'per CPU s'.padStart(10)} ${'× sshguard'.padStart(10)}  wall s of each run`);
contenders.forEach((c, i) => {
  const ratio = base >= 0 ? (best[base].secs / best[i].secs).toFixed(2) : '-';
  const cpuRatio = base >= 0 ? (bestCpu[base] / bestCpu[i]).toFixed(2) : '-';
  const runsText = results[i].map((r) => r.secs.toFixed(2)).join(' ');
  console.log(
    `${c.name.padEnd(48)} ${fmt(lineCount / best[i].secs).padStart(9)} ${ratio.padStart(10)} ${fmt(lineCount / bestCpu[i]).padStart(10)} ${cpuRatio.padStart(10)}  ${runsText}${best[i].note ? `   (best run: ${best[i].note})` : ''}`,
  );
});
console.log(`load at the end ${loadavg()[0].toFixed(2)}. lines/s: wall clock of the best run; per CPU s: lines per CPU second (user + system), steadier when others share the machine. sshguard and replay end to end, start-up included; the engine alone on lines in memory.`);
