#!/usr/bin/env node
// GET /api/stats's queries over a busy day: N alerts (default 1,000,000) spread over the last 24
// hours as a host under attack makes them (a few dozen rules, brute forces from a few thousand
// addresses, scans from many), stored through the pipeline's own insert (AlertsRepository.insertAll,
// which keeps the counts per slot). Prints the insert rate, then the stats the dashboard asks for
// (the last 24 h, the last hour, a week, a range cut inside slots) from the counts per slot and
// from the alerts themselves (what every stats request did before migration 0100), best of 3.
//   node bench/stats.mjs [--alerts N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const dist = new URL('../apps/server/dist/', import.meta.url);
const { openDatabase } = await import(new URL('db/database.js', dist).href).catch(() => {
  console.log('stats: apps/server is not built (npm run build); skipped');
  process.exit(0);
});
const { migrate } = await import(new URL('db/migrate.js', dist).href);
const { migrationsDir } = await import(new URL('paths.js', dist).href);
const { AlertQueries, AlertsRepository } = await import(new URL('modules/alerts/alerts.repository.js', dist).href);

const { values } = parseArgs({ options: { alerts: { type: 'string', default: '1000000' } } });
const n = Number(values.alerts);
const dir = mkdtempSync(join(tmpdir(), 'portcullis-bench-stats-'));
const db = openDatabase(join(dir, 'portcullis.db'));
migrate(db, migrationsDir);
const repo = new AlertsRepository(db);

const rules = Array.from({ length: 40 }, (_, i) => ({ id: 5700 + i, level: 3 + (i % 8) }));
const now = Date.now();
let seed = 42;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const t0 = performance.now();
const BATCH = 2000;
for (let i = 0; i < n; i += BATCH) {
  const records = [];
  for (let j = i; j < Math.min(n, i + BATCH); j++) {
    const time = now - 86_400_000 + Math.floor((j / n) * 86_400_000);
    const rule = rules[rnd() < 0.6 ? Math.floor(rnd() * 4) : Math.floor(rnd() * rules.length)];
    const srcip = rnd() < 0.7 ? `203.0.${Math.floor(rnd() * 12)}.${Math.floor(rnd() * 250)}` : `198.${18 + Math.floor(rnd() * 2)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`;
    records.push({
      time, eventTime: time, ruleId: rule.id, level: rule.level, description: `rule ${rule.id}`, groups: ['syslog', 'sshd'], decoder: 'sshd',
      srcip, user: 'root', hostname: 'web01', programName: 'sshd', location: '/var/log/auth.log',
      fullLog: `Dec  3 10:00:00 web01 sshd[1234]: Failed password for root from ${srcip} port 22 ssh2`, fields: { srcip }, host: null,
    });
  }
  db.transaction(() => repo.insertAll(records))();
}
const insertSecs = (performance.now() - t0) / 1000;
const rows = (t) => db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get();
console.log(`stats: ${n.toLocaleString('en')} alerts over 24 h stored in ${insertSecs.toFixed(1)} s (${Math.round(n / insertSecs).toLocaleString('en')} alerts/s with the counts); counts per slot: ${rows('alert_counts').toLocaleString('en')} rule rows, ${rows('alert_source_counts').toLocaleString('en')} source rows`);

const q = new AlertQueries(db);
const hour = 3_600_000;
const end = Math.ceil(now / 2000) * 2000;
const ranges = [
  ['last 24 h (Overview)', { from: end - 24 * hour, to: end, bucketMs: 1_800_000, top: 10 }],
  ['last hour', { from: end - hour, to: end, bucketMs: 60_000, top: 10 }],
  ['last 7 days', { from: end - 7 * 24 * hour, to: end, bucketMs: 3 * hour, top: 10 }],
  ['6 h cut inside slots', { from: end - 6 * hour - 3_333, to: end - 7_777, bucketMs: 600_000, top: 10 }],
];
const best = (fn) => {
  let b = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    fn();
    b = Math.min(b, performance.now() - t);
  }
  return b;
};
console.log(`${'range'.padEnd(24)} ${'counted ms'.padStart(11)} ${'from alerts ms'.padStart(15)}  same answer`);
for (const [name, range] of ranges) {
  const counted = best(() => q.stats(range));
  const raw = best(() => q.uncountedStats(range));
  const same = JSON.stringify(q.stats(range)) === JSON.stringify(q.uncountedStats(range));
  console.log(`${name.padEnd(24)} ${counted.toFixed(1).padStart(11)} ${raw.toFixed(1).padStart(15)}  ${same ? 'yes' : 'NO'}`);
}
db.close();
rmSync(dir, { recursive: true, force: true });
