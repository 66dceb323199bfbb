// The alert counts per 10-second slot that GET /api/stats reads (modules/alerts/alert-counts.ts):
// kept by the inserts and the prunes, they give exactly what the GROUP BYs over the alerts give,
// for ranges that start and end inside slots, any bucket, after pruning by age and by count, and on
// a database that had alerts before the counts existed (the migration counts them).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { countedStats, cover, recountAlerts, utf8Greater } from '../../src/modules/alerts/alert-counts.js';
import { AlertQueries, AlertsRepository, type AlertRecord, type StatsRange } from '../../src/modules/alerts/alerts.repository.js';
import { migrationsDir } from '../../src/paths.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'portcullis-counts-'));
  db = openDatabase(path.join(dir, 'p.db'));
  migrate(db, migrationsDir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.parse('2026-03-01T00:00:00Z');

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function alerts(n: number, rnd: () => number, spanMs: number): AlertRecord[] {
  const out: AlertRecord[] = [];
  let t = T0;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * (2 * spanMs / n));
    const rule = 5700 + Math.floor(rnd() * 6);
    const level = 3 + (rule % 4) + (rnd() < 0.1 ? 5 : 0);
    out.push({
      time: t, eventTime: null, ruleId: rule, level,
      // Descriptions differ within a rule (as Wazuh's $(field) makes them), non-ASCII included.
      description: `rule ${rule} ${['a', 'b', 'é', '\u{1F600}', 'Z'][Math.floor(rnd() * 5)]}`,
      groups: ['sshd'], decoder: 'sshd', srcip: rnd() < 0.2 ? null : `10.0.${Math.floor(rnd() * 3)}.${Math.floor(rnd() * 20)}`,
      user: null, hostname: 'h', programName: 'sshd', location: '/var/log/auth.log', fullLog: `line ${i}`, fields: {}, host: null,
    });
  }
  return out;
}

/** The stats from the counts and from the alerts themselves, for one range. */
function both(q: AlertQueries, range: StatsRange): [unknown, unknown] {
  return [q.stats(range), q.uncountedStats(range)];
}

const countsTable = (): unknown[] => db.prepare('SELECT * FROM alert_counts ORDER BY slot, rule_id, level').all();
const sourcesTable = (): unknown[] => db.prepare('SELECT * FROM alert_source_counts ORDER BY slot, srcip').all();

describe('alert counts per slot', () => {
  it('give the stats the alerts give, for ranges cut inside slots and every bucket, before and after prunes', () => {
    const rnd = random(7);
    const repo = new AlertsRepository(db);
    const batch = alerts(4000, rnd, 6 * 3_600_000);
    for (let i = 0; i < batch.length; i += 250) repo.insertAll(batch.slice(i, i + 250));
    const q = new AlertQueries(db);
    const end = batch[batch.length - 1]!.time + 1;
    const check = (): void => {
      for (let k = 0; k < 40; k++) {
        const from = T0 + Math.floor(rnd() * (end - T0));
        const to = from + 1 + Math.floor(rnd() * (end - from + 30_000));
        const bucketMs = [10, 30, 60, 300, 3600][k % 5]! * 1000;
        const [counted, raw] = both(q, { from, to, bucketMs, top: 1 + (k % 12) });
        expect(counted).toEqual(raw);
      }
      const whole = both(q, { from: 0, to: 4_102_444_800_000, bucketMs: 86_400_000, top: 100 });
      expect(whole[0]).toEqual(whole[1]);
    };
    check();
    const before = { counts: countsTable(), sources: sourcesTable() };
    recountAlerts(db);
    expect({ counts: countsTable(), sources: sourcesTable() }).toEqual(before);

    // Prunes cut slots in the middle: by age (a time inside a slot), then by count.
    expect(repo.pruneOlderThan(T0 + 3_600_000 + 600_000 + 3_333, 1000)).toBeGreaterThan(0);
    expect(repo.pruneBeyond(2500, 333)).toBe(333);
    check();
    const counts = (rows: unknown[]) => (rows as Array<Record<string, unknown>>).map(({ description: _d, ...rest }) => rest);
    const kept = { counts: counts(countsTable()), sources: sourcesTable() };
    recountAlerts(db);
    expect({ counts: counts(countsTable()), sources: sourcesTable() }).toEqual(kept);
    expect((countsTable() as Array<{ count: number }>).every((r) => r.count > 0)).toBe(true);
  });

  it('are made by the migration for the alerts a database already had', () => {
    const old = path.join(dir, 'old-migrations');
    cpSync(migrationsDir, old, { recursive: true, filter: (f) => !path.basename(f).startsWith('0100_') });
    const before = openDatabase(path.join(dir, 'before', 'p.db'));
    try {
      migrate(before, old);
      const insert = before.prepare(`INSERT INTO alerts (time, rule_id, level, description, groups, srcip, location, full_log) VALUES (?, ?, ?, ?, ',sshd,', ?, 'auth.log', 'x')`);
      for (const a of alerts(2000, random(11), 7_200_000)) insert.run(a.time, a.ruleId, a.level, a.description, a.srcip);
      expect(migrate(before, migrationsDir)).toEqual(['0100_alert_counts.sql']);
      const q = new AlertQueries(before);
      const range = { from: T0 + 1234, to: T0 + 6_000_000, bucketMs: 600_000, top: 10 };
      expect(q.stats(range)).toEqual(q.uncountedStats(range));
      expect(before.prepare('SELECT SUM(count) FROM alert_counts WHERE width = 10000').pluck().get()).toBe(2000);
    } finally {
      before.close();
    }
  });

  it('go when every alert of their slot goes', () => {
    const repo = new AlertsRepository(db);
    repo.insertAll(alerts(300, random(3), 600_000));
    while (repo.pruneBeyond(0, 100) > 0);
    expect(repo.count()).toBe(0);
    expect(countsTable()).toEqual([]);
    expect(sourcesTable()).toEqual([]);
  });

  it('cover a range with the widest slots that fit, narrower ones and the alerts towards its ends', () => {
    const m = 60_000;
    expect(cover(7 * m + 1, 23 * m - 1, [5 * m, 10_000])).toEqual([
      { width: null, lo: 7 * m + 1, hi: 7 * m + 10_000 },
      { width: 10_000, lo: 7 * m + 10_000, hi: 10 * m },
      { width: 5 * m, lo: 10 * m, hi: 20 * m },
      { width: 10_000, lo: 20 * m, hi: 23 * m - 10_000 },
      { width: null, lo: 23 * m - 10_000, hi: 23 * m - 1 },
    ]);
    expect(cover(0, 5_000, [10_000])).toEqual([{ width: null, lo: 0, hi: 5_000 }]);
    expect(cover(10_000, 30_000, [10_000])).toEqual([{ width: 10_000, lo: 10_000, hi: 30_000 }]);
  });

  it('read the count tables by their key and the alerts at the ends by time, never a whole table', () => {
    const sql = countedStats((terms) => `WHERE ${terms.join(' AND ')}`, { from: T0 + 1, to: T0 + 86_400_000 - 1, bucketMs: 1_800_000, top: 10 });
    for (const statement of [sql.buckets, sql.topRules, sql.topSources]) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${statement}`).all(sql.params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
      expect(plan).toMatch(/SEARCH alert_(source_)?counts USING PRIMARY KEY \((width=\? AND )?slot>\? AND slot<\?\)/);
      expect(plan).toMatch(/SEARCH alerts USING INDEX alerts_time \(time>\? AND time<\?\)/);
      expect(plan).not.toMatch(/SCAN alert/);
    }
  });

  it('compare descriptions as SQLite\'s MAX does (UTF-8 bytes), surrogates and U+E000 and above included', () => {
    const samples = ['', 'a', 'ab', 'b', 'Z', 'é', 'PAM: session opened for nagios', 'PAM: session opened for root', '\u{E000}', '\u{FFFD}', '\u{FFFF}', '\u{10000}', '\u{1F600}', '\u{1F600}a', 'x\u{FFFD}', 'x\u{1F600}', '\uD800', '\uDFFF', '\uD83D', '\uD83Da', 'a\uDE00'];
    for (const a of samples) {
      for (const b of samples) expect(utf8Greater(a, b), `${JSON.stringify(a)} > ${JSON.stringify(b)}`).toBe(Buffer.compare(Buffer.from(a), Buffer.from(b)) > 0);
    }
  });
});
