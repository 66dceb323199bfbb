#!/usr/bin/env node
// Start-up of the CLI: `portcullis replay` of an empty file, wall time of the whole process (node's
// own start included), best of N. With the OSSEC 4.2 home (../shared/compat, `--dialect ossec`) and
// with the shipped config; each with a cold ruleset cache (a fresh, empty HOME per run, so
// ~/.cache/portcullis is empty) and a warm one (a HOME whose cache one run filled). `node -e 0`
// alone is printed for scale: no command can start faster than that.
//   node bench/startup.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

/** Wall time (ms) of one run; throws when the command fails. */
function once(args, home) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env: { ...process.env, HOME: home }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function best(args, cold) {
  let min = Infinity;
  const warmHome = mkdtempSync(join(tmpdir(), 'portcullis-startup-'));
  try {
    if (!cold) once(args, warmHome); // fills the cache
    for (let i = 0; i < runs; i++) {
      const home = cold ? mkdtempSync(join(tmpdir(), 'portcullis-startup-')) : warmHome;
      try {
        min = Math.min(min, once(args, home));
      } finally {
        if (cold) rmSync(home, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(warmHome, { recursive: true, force: true });
  }
  return min;
}

const cases = [['node -e 0 (for scale)', ['-e', '0'], [true]]];
if (existsSync(ossecHome)) cases.push(['replay /dev/null, OSSEC 4.2 home', [cli, 'replay', '/dev/null', '--home', ossecHome, '--dialect', 'ossec'], [true, false]]);
else console.log(`startup: ${ossecHome} not found; the OSSEC home case is skipped`);
cases.push(['replay /dev/null, shipped config', [cli, 'replay', '/dev/null'], [true, false]]);

console.log(`start-up, wall time of the whole process, best of ${runs}:`);
for (const [name, args, modes] of cases) {
  const parts = modes.map((cold) => `${modes.length > 1 ? (cold ? 'cold cache ' : 'warm cache ') : ''}${best(args, cold).toFixed(0).padStart(5)} ms`);
  console.log(`  ${name.padEnd(36)} ${parts.join('   ')}`);
}
