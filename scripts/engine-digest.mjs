#!/usr/bin/env node
// Engine output digest: runs the engine (as bench/engine.mjs does, from apps/server/dist) over the
// corpora with each ruleset and prints one SHA-256 per (ruleset, corpus) over every line's full
// result, plus one over the correlation state left at the end. Two runs of different code must print
// the same lines for a change to count as "same output". Needs a current build:
//   npx turbo run build --filter=@portcullis/server
// Usage: node scripts/engine-digest.mjs [--lines N] [--only ossec|wazuh|shipped] > digest.txt
// (timings go to stderr so the digest file compares with diff).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { loadContext, newEngine } from '../apps/server/dist/cli/context.js';

const root = resolve(import.meta.dirname, '..');
const shared = resolve(root, '..', 'shared');
const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, only: { type: 'string' } } });
const n = Number(values.lines);

// The generated corpus bench/engine.mjs uses, every *.log in ../shared/corpus, and the raw logs of
// the oracle files in ../shared/compat/oracle (<name>.jsonl was made from corpus/<name>.log).
const generated = `/tmp/portcullis-bench-auth-${n}.log`;
if (!existsSync(generated)) {
  process.stderr.write(`generating ${n} lines with gen-corpus.py → ${generated}\n`);
  execFileSync('python3', [join(shared, 'corpus', 'gen-corpus.py'), String(n), generated], { stdio: 'ignore' });
}
const corpusDir = join(shared, 'corpus');
const oracleDir = join(shared, 'compat', 'oracle');
const corpora = new Set([generated]);
for (const f of execFileSync('ls', [corpusDir], { encoding: 'utf8' }).split('\n')) if (f.endsWith('.log')) corpora.add(join(corpusDir, f));
for (const f of execFileSync('ls', [oracleDir], { encoding: 'utf8' }).split('\n'))
  if (f.endsWith('.jsonl')) {
    const log = join(corpusDir, f.replace(/\.jsonl$/, '.log'));
    if (!existsSync(log)) throw new Error(`oracle ${f}: its raw log ${log} is missing`);
    corpora.add(log);
  }

const rulesets = [
  ['ossec', () => loadContext({ home: join(shared, 'compat', 'ossec-hids-4.2.0'), dialect: 'ossec' })],
  ['wazuh', () => loadContext({ home: join(shared, 'compat', 'wazuh-4.14.7'), dialect: 'wazuh' })],
  ['shipped', () => loadContext({})],
].filter(([name]) => !values.only || values.only === name);

// Event time from the line's own syslog / ISO timestamp (year 2024, UTC), else the previous line's,
// computed here (not with the engine's syslogTime) so the digest does not depend on that code.
const MONTHS = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
function lineTime(line) {
  const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})/.exec(line);
  if (iso) return Date.UTC(+iso[1], +iso[2] - 1, +iso[3], +iso[4], +iso[5], +iso[6]) / 1000;
  const m = /^([A-Z][a-z]{2}) ([ 0-9]\d) (\d{2}):(\d{2}):(\d{2})/.exec(line);
  if (!m || MONTHS[m[1]] === undefined) return null;
  return Date.UTC(2024, MONTHS[m[1]], +m[2].trim(), +m[3], +m[4], +m[5]) / 1000;
}

function resultText(r) {
  const ev = r.event;
  return JSON.stringify([
    r.rule?.id ?? null,
    r.alertRule?.id ?? null,
    r.alert,
    r.ignored,
    r.description,
    ev.decoder?.name ?? null,
    ev.decoder?.parent ?? null,
    ev.assignments.map(([k, v]) => `${k}=${v}`),
    ev.hostname,
    ev.headerHostname,
    ev.programName,
    ev.timestamp,
    ev.log,
    ev.fullLog,
    ev.matched,
  ]);
}

for (const [name, load] of rulesets) {
  let ctx;
  try {
    ctx = load();
  } catch (e) {
    console.log(`${name} (not loadable: ${String(e.message).split('\n')[0]})`);
    continue;
  }
  for (const corpus of corpora) {
    const text = readFileSync(corpus, 'utf8');
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const engine = newEngine(ctx);
    const h = createHash('sha256');
    let time = 0;
    let results = 0;
    let alerts = 0;
    const t0 = performance.now();
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i];
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const t = lineTime(line);
      if (t !== null) time = t;
      const rs = engine.processLine(line, '/var/log/auth.log', time);
      h.update(`${i}:${rs.length}\n`);
      for (const r of rs) {
        results++;
        if (r.alert) alerts++;
        h.update(resultText(r));
        h.update('\n');
      }
    }
    const secs = (performance.now() - t0) / 1000;
    const state = createHash('sha256').update(JSON.stringify(engine.snapshotState())).digest('hex');
    console.log(`${name} ${corpus.replace(`${shared}/`, '')} lines=${lines.length} results=${results} alerts=${alerts} sha256=${h.digest('hex')} state=${state}`);
    process.stderr.write(`  ${name} ${corpus}: ${secs.toFixed(1)} s\n`);
  }
}
