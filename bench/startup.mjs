#!/usr/bin/env node
// Start-up of the CLI: `portcullis replay` of an empty file, wall time of the whole process (node's
// own start included), best of N. With the OSSEC 4.2 home (../shared/compat, `--dialect ossec`) and
// with the shipped config; each with a cold ruleset cache (a fresh, empty HOME per run, so
// ~/.cache/portcullis is empty) and a warm one (a HOME whose cache one run filled). `node -e 0`
// alone is printed for scale: no command can start faster than that.
//   node bench/startup.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Number(values.runs));
const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'apps', 'server', 'bin', 'portcullis.js');
const ossecHome = resolve(root, '..', 'shared', 'compat', 'ossec-hids-4.2.0');
if (!existsSync(join(root, 'apps', 'server', 'dist', 'cli.js'))) {
  console.log('startup: apps/server is not built (npm run build); skipped');
  process.exit(0);
}

/** CPU time (ms) of the children waited for so far (Linux: /proc/self/stat, 10 ms ticks), or NaN. */
function childrenCpu() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) * 10; // cutime + cstime, fields 16 and 17, at 100 Hz
  } catch {
    return NaN;
  }
}

/** Wall and CPU time (ms) of one run; throws when the command fails. */
function once(args, home) {
  const c0 = childrenCpu();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: { ...process.env, HOME: home }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, cpu: childrenCpu() - c0 };
}

function best(args, cold) {
  let min = Infinity;
  let minCpu = Infinity;
  const warmHome = mkdtempSync(join(tmpdir(), 'portcullis-startup-'));
  try {
    if (!cold) once(args, warmHome); // fills the cache
    for (let i = 0; i < runs; i++) {
      const home = cold ? mkdtempSync(join(tmpdir(), 'portcullis-startup-')) : warmHome;
      try {
        const { ms, cpu } = once(args, home);
        min = Math.min(min, ms);
        minCpu = Math.min(minCpu, cpu);
      } finally {
        if (cold) rmSync(home, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(warmHome, { recursive: true, force: true });
  }
  return { min, minCpu };
}

const cases = [['node -e 0 (for scale)', ['-e', '0'], [true]]];
if (existsSync(ossecHome)) cases.push(['replay /dev/null, OSSEC 4.2 home', [cli, 'replay', '/dev/null', '--home', ossecHome, '--dialect', 'ossec'], [true, false]]);
else console.log(`startup: ${ossecHome} not found; the OSSEC home case is skipped`);
cases.push(['replay /dev/null, shipped config', [cli, 'replay', '/dev/null'], [true, false]]);

// On a shared machine the wall time varies with the load; the CPU time (user + system) less so.
console.log(`start-up of the whole process, best of ${runs}: wall time (CPU time):`);
for (const [name, args, modes] of cases) {
  const parts = modes.map((cold) => {
    const { min, minCpu } = best(args, cold);
    return `${modes.length > 1 ? (cold ? 'cold cache ' : 'warm cache ') : ''}${min.toFixed(0).padStart(5)} ms (${Number.isNaN(minCpu) ? '?' : minCpu.toFixed(0)} ms)`;
  });
  console.log(`  ${name.padEnd(36)} ${parts.join('   ')}`);
}
