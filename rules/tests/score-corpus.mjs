#!/usr/bin/env node
// Scores the shipped ruleset's blocking decisions on a generated corpus against its ground truth.
//
//   node rules/tests/score-corpus.mjs LOG [TRUTH] [--year 2024] [--min 0.99] [--logtest] [--show N]
//
// LOG is a syslog file made by ../shared/corpus/gen-corpus.py; TRUTH defaults to LOG with
// ".truth.json" for ".log". The set of addresses Portcullis would block comes from
// `portcullis replay LOG --json` (rules + the config's <active-response> blocks, on log time).
// When replay is not available (or with --logtest) it falls back to `portcullis logtest --json
// --time log`, counting as blocked every srcip that gets an alert from a rule in the group
// portcullis_block. Prints the blocked counts, precision and recall, each false positive and
// false negative with its log lines, and how the first block time compares with the truth's
// block_at. Exits 1 when precision or recall is below --min. No dependencies beyond Node.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const { values, positionals } = parseArgs({
  options: {
    year: { type: 'string' },
    min: { type: 'string', default: '0.99' },
    logtest: { type: 'boolean', default: false },
    show: { type: 'string', default: '12' },
  },
  allowPositionals: true,
});
if (positionals.length < 1 || positionals.length > 2) {
  console.error('usage: node rules/tests/score-corpus.mjs LOG [TRUTH] [--year YYYY] [--min 0.99] [--logtest] [--show N]');
  process.exit(2);
}
const logPath = resolve(positionals[0]);
const truthPath = resolve(positionals[1] ?? logPath.replace(/\.log$/, '') + '.truth.json');
if (!existsSync(truthPath)) {
  console.error(`truth file not found: ${truthPath}`);
  process.exit(2);
}
const truth = JSON.parse(readFileSync(truthPath, 'utf8'));
const year = values.year ?? String(truth.first_timestamp ?? '2024').slice(0, 4);
const minScore = Number(values.min);
const showLines = Number(values.show);

const MAX_BUFFER = 1 << 30;

/** `portcullis replay --json`: { blocks: [{ ip, at, rule_id, ... }] }, or null if unavailable. */
function viaReplay() {
  const r = spawnSync('npx', ['portcullis', 'replay', logPath, '--json', '--year', year], { cwd: repo, encoding: 'utf8', maxBuffer: MAX_BUFFER });
  if (r.status !== 0) return null;
  try {
    const rep = JSON.parse(r.stdout.trim().split('\n').at(-1));
    if (!Array.isArray(rep.blocks)) return null;
    const first = new Map();
    for (const b of rep.blocks) if (!first.has(b.ip)) first.set(b.ip, { at: String(b.at).slice(0, 19), rule: b.rule_id });
    return { how: 'portcullis replay --json', first, alerts: rep.alerts };
  } catch {
    return null;
  }
}

/** `portcullis logtest --json --time log`: every srcip alerted by a portcullis_block rule. */
function viaLogtest() {
  const input = readFileSync(logPath);
  const r = spawnSync('npx', ['portcullis', 'logtest', '--json', '--time', 'log', '--year', year], { cwd: repo, input, encoding: 'utf8', maxBuffer: MAX_BUFFER });
  if (r.status !== 0) {
    console.error(r.stderr);
    throw new Error(`portcullis logtest exited with ${r.status}`);
  }
  const lines = input.toString('utf8').split('\n');
  const first = new Map();
  const alerts = {};
  for (const row of r.stdout.split('\n')) {
    if (!row) continue;
    const j = JSON.parse(row);
    if (!j.alert) continue;
    alerts[j.rule_id] = (alerts[j.rule_id] ?? 0) + 1;
    const ip = j.fields?.srcip;
    if (!ip || !(j.groups ?? []).includes('portcullis_block') || first.has(ip)) continue;
    first.set(ip, { at: isoOfSyslog(lines[j.line - 1] ?? ''), rule: j.rule_id });
  }
  return { how: 'portcullis logtest --json --time log (fallback)', first, alerts };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "Mar  4 18:13:23 ..." → "2024-03-04T18:13:23" (the truth's block_at form). */
function isoOfSyslog(line) {
  const m = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d:\d\d:\d\d)/.exec(line);
  if (!m) return '';
  const mon = String(MONTHS.indexOf(m[1]) + 1).padStart(2, '0');
  return `${year}-${mon}-${m[2].trim().padStart(2, '0')}T${m[3]}`;
}

const result = (!values.logtest && viaReplay()) || viaLogtest();
const blocked = new Set(result.first.keys());
const should = new Set(truth.should_block);
const tp = [...blocked].filter((ip) => should.has(ip));
const fp = [...blocked].filter((ip) => !should.has(ip)).sort();
const fn = [...should].filter((ip) => !blocked.has(ip)).sort();
const precision = blocked.size === 0 ? 1 : tp.length / blocked.size;
const recall = should.size === 0 ? 1 : tp.length / should.size;
const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);

// When does the first block come, compared with the truth's block_at (the 5th attempt)?
const seconds = (iso) => Date.parse(`${iso}Z`) / 1000;
const timing = { same: 0, earlierUpTo5: 0, laterUpTo5: 0, earlier: 0, later: 0 };
for (const ip of tp) {
  const want = truth.ips[ip]?.block_at;
  const got = result.first.get(ip).at;
  if (!want || !got) continue;
  const d = seconds(got) - seconds(want);
  if (d === 0) timing.same++;
  else if (d < 0) timing[d >= -5 ? 'earlierUpTo5' : 'earlier']++;
  else timing[d <= 5 ? 'laterUpTo5' : 'later']++;
}

const fmt = (x) => x.toFixed(4);
console.log(`${logPath}`);
console.log(`  blocked by: ${result.how}`);
console.log(`  truth:      ${truthPath} (${truth.lines} lines, ${truth.ip_count} addresses, seed ${truth.args?.seed}, flavor ${truth.args?.flavor})`);
console.log(`  should block ${should.size}, blocked ${blocked.size}: true positives ${tp.length}, false positives ${fp.length}, false negatives ${fn.length}`);
console.log(`  precision ${fmt(precision)}  recall ${fmt(recall)}  F1 ${fmt(f1)}`);
console.log(
  `  first block vs truth block_at: ${timing.same} same second, ${timing.earlierUpTo5} up to 5 s earlier, ${timing.laterUpTo5} up to 5 s later, ` +
    `${timing.earlier} more than 5 s earlier, ${timing.later} more than 5 s later`,
);

function explain(ip, label) {
  const t = truth.ips[ip];
  const desc = t
    ? `role ${t.role}/${t.profile ?? '-'}, failed_auth ${t.failed_auth}, max_failed_in_600s ${t.max_failed_in_600s}, kinds ${JSON.stringify(t.kinds)}`
    : 'not in the truth file';
  const got = result.first.get(ip);
  console.log(`\n  ${label} ${ip}: ${desc}${got ? `; blocked at ${got.at} by rule ${got.rule}` : ''}${t?.block_at ? `; truth block_at ${t.block_at}` : ''}`);
  const esc = ip.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(^|[^0-9A-Fa-f:.])${esc}($|[^0-9A-Fa-f:.])`);
  const hits = readFileSync(logPath, 'utf8').split('\n').filter((l) => re.test(l));
  for (const l of hits.slice(0, showLines)) console.log(`      ${l}`);
  if (hits.length > showLines) console.log(`      ... ${hits.length - showLines} more line(s)`);
}
for (const ip of fp) explain(ip, 'FALSE POSITIVE');
for (const ip of fn) explain(ip, 'FALSE NEGATIVE');

const ok = precision >= minScore && recall >= minScore;
console.log(`\n  ${ok ? 'OK' : 'BELOW TARGET'}: precision and recall ${ok ? '>=' : 'must be >='} ${minScore}`);
process.exit(ok ? 0 : 1);
