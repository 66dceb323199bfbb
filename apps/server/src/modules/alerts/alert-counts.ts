// Alert counts per time slot (migration 0100): by rule and level in slots of 10 s and 5 min, and by
// source address in slots of an hour. They change in the transactions that insert and prune
// alerts, so each row always equals a GROUP BY over the stored alerts of its slot. GET /api/stats
// covers its range with the widest slots that fit (and that its buckets are whole multiples of),
// narrower ones towards the ends, and reads only the alerts of what is left at the two ends. Over a
// day of 1M alerts it reads thousands of rows instead of every alert (which took seconds).
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';

/** Widths (ms) of the slots counted by rule and level, widest first. 10 s is the smallest bucket. */
export const RULE_WIDTHS = [300_000, 10_000] as const;
/** Width (ms) of the slots counted by source address (the top sources need no buckets). */
export const SOURCE_WIDTH = 3_600_000;

/** A stored alert as the prunes read it to uncount it (a description is only ever added). */
export interface CountedRow {
  time: number;
  rule_id: number;
  level: number;
  srcip: string | null;
}

/** An alert as the insert has it (AlertRecord's names). */
export interface CountedRecord {
  time: number;
  ruleId: number;
  level: number;
  description: string;
  srcip: string | null;
}

/**
 * `a > b` as SQLite's MAX compares text: by UTF-8 bytes, that is by code points, a lone surrogate
 * being U+FFFD (as the text reaches SQLite). JavaScript's `>` compares UTF-16 units, which is the
 * same unless a surrogate is involved; only then are both encoded. No allocation otherwise:
 * descriptions that name a field ("PAM: session opened for nagios") differ on most alerts.
 */
export function utf8Greater(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if ((x & 0xf800) === 0xd800 || (y & 0xf800) === 0xd800) return Buffer.compare(Buffer.from(a), Buffer.from(b)) > 0;
    return x > y;
  }
  // The one the other begins with is the smaller, in UTF-8 too: a pair completed after a lone high
  // surrogate begins F0–F4, above the EF BF BD of U+FFFD.
  return a.length > b.length;
}

interface RuleTally {
  width: number;
  slot: number;
  rule: number;
  level: number;
  n: number;
  description: string;
}

/** Counts to add (or subtract) per key, gathered over a batch so each key is written once. */
class Tally {
  /** Per width and slot (a batch has one or two), by rule and level. */
  readonly #rules = new Map<number, Map<number, Map<number | string, RuleTally>>>();
  /** Per slot, by address. */
  readonly #sources = new Map<number, Map<string, number>>();

  add(time: number, rule: number, level: number, description: string, srcip: string | null): void {
    for (const width of RULE_WIDTHS) {
      const slot = time - (time % width);
      let bySlot = this.#rules.get(width);
      if (bySlot === undefined) this.#rules.set(width, (bySlot = new Map()));
      let byKey = bySlot.get(slot);
      if (byKey === undefined) bySlot.set(slot, (byKey = new Map()));
      // A number for the levels rules have (0–16), unique per integer rule id; a string otherwise.
      const key = level >= 0 && level < 32 && Number.isInteger(level) ? rule * 32 + level : `${rule}|${level}`;
      const r = byKey.get(key);
      if (r === undefined) byKey.set(key, { width, slot, rule, level, n: 1, description });
      else {
        r.n++;
        if (description !== r.description && utf8Greater(description, r.description)) r.description = description;
      }
    }
    if (srcip === null) return;
    const slot = time - (time % SOURCE_WIDTH);
    let bySrc = this.#sources.get(slot);
    if (bySrc === undefined) this.#sources.set(slot, (bySrc = new Map()));
    bySrc.set(srcip, (bySrc.get(srcip) ?? 0) + 1);
  }

  *rules(): Generator<RuleTally> {
    for (const bySlot of this.#rules.values()) for (const byKey of bySlot.values()) yield* byKey.values();
  }

  *sources(): Generator<{ slot: number; srcip: string; n: number }> {
    for (const [slot, bySrc] of this.#sources) for (const [srcip, n] of bySrc) yield { slot, srcip, n };
  }
}

/** The write side: callers run `add` and `remove` inside the transaction that inserts or deletes the alerts. */
export class AlertCounts {
  readonly #addRule: Statement;
  readonly #addSource: Statement;
  readonly #subRule: Statement;
  readonly #subSource: Statement;
  readonly #dropRule: Statement;
  readonly #dropSource: Statement;

  constructor(db: Db) {
    this.#addRule = db.prepare(`INSERT INTO alert_counts (width, slot, rule_id, level, count, description) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT DO UPDATE SET count = count + excluded.count, description = max(description, excluded.description)`);
    this.#addSource = db.prepare(`INSERT INTO alert_source_counts (slot, srcip, count) VALUES (?, ?, ?)
      ON CONFLICT DO UPDATE SET count = count + excluded.count`);
    this.#subRule = db.prepare('UPDATE alert_counts SET count = count - ? WHERE width = ? AND slot = ? AND rule_id = ? AND level = ?');
    this.#subSource = db.prepare('UPDATE alert_source_counts SET count = count - ? WHERE slot = ? AND srcip = ?');
    this.#dropRule = db.prepare('DELETE FROM alert_counts WHERE width = ? AND slot = ? AND rule_id = ? AND level = ? AND count <= 0');
    this.#dropSource = db.prepare('DELETE FROM alert_source_counts WHERE slot = ? AND srcip = ? AND count <= 0');
  }

  /** Counts alerts just inserted. */
  add(records: readonly CountedRecord[]): void {
    if (records.length === 0) return;
    const t = new Tally();
    for (const r of records) t.add(r.time, r.ruleId, r.level, r.description, r.srcip);
    for (const r of t.rules()) this.#addRule.run(r.width, r.slot, r.rule, r.level, r.n, r.description);
    for (const s of t.sources()) this.#addSource.run(s.slot, s.srcip, s.n);
  }

  /**
   * Uncounts alerts about to be deleted; a key whose count reaches 0 goes. A description stays the
   * largest its slot had until the slot's last alert of that rule and level goes.
   */
  remove(rows: readonly CountedRow[]): void {
    const t = new Tally();
    for (const r of rows) t.add(r.time, r.rule_id, r.level, '', r.srcip);
    for (const r of t.rules()) {
      this.#subRule.run(r.n, r.width, r.slot, r.rule, r.level);
      this.#dropRule.run(r.width, r.slot, r.rule, r.level);
    }
    for (const s of t.sources()) {
      this.#subSource.run(s.n, s.slot, s.srcip);
      this.#dropSource.run(s.slot, s.srcip);
    }
  }
}

/** Counts every stored alert again (tools and tests that insert rows with SQL of their own). */
export function recountAlerts(db: Db): void {
  db.transaction(() => {
    db.exec('DELETE FROM alert_counts; DELETE FROM alert_source_counts;');
    for (const w of RULE_WIDTHS) {
      db.exec(`INSERT INTO alert_counts (width, slot, rule_id, level, count, description)
        SELECT ${w}, time - time % ${w}, rule_id, level, COUNT(*), MAX(description) FROM alerts GROUP BY 2, 3, 4`);
    }
    db.exec(`INSERT INTO alert_source_counts (slot, srcip, count)
      SELECT time - time % ${SOURCE_WIDTH}, srcip, COUNT(*) FROM alerts WHERE srcip IS NOT NULL GROUP BY 1, 2`);
  })();
}

/** Part of a range: [lo, hi) read from slots of `width`, or from the alerts themselves (width null). */
export interface Piece {
  width: number | null;
  lo: number;
  hi: number;
}

/**
 * Covers [from, to) with whole slots of the widest width that fits, then narrower ones towards the
 * ends, and the alerts themselves for what no slot covers; in time order, empty parts left out.
 */
export function cover(from: number, to: number, widths: readonly number[]): Piece[] {
  if (from >= to) return [];
  const [width, ...narrower] = widths;
  if (width === undefined) return [{ width: null, lo: from, hi: to }];
  const a = Math.ceil(from / width) * width;
  const b = Math.floor(to / width) * width;
  if (a >= b) return cover(from, to, narrower);
  return [...cover(from, a, narrower), { width, lo: a, hi: b }, ...cover(b, to, narrower)];
}

/** The stats statements for a range covered by `pieces`, and their parameters. */
export interface CountedStats {
  buckets: string;
  topRules: string;
  topSources: string;
  params: Record<string, number>;
}

/**
 * The stats statements over the counts and the alerts (see `cover`). `where` prefixes every
 * condition (the reader threads' guard). Rules and buckets use the widths the bucket is a multiple
 * of; sources the hour slots. Statements of one shape differ only in their parameters.
 */
export function countedStats(where: (terms: string[]) => string, range: { from: number; to: number; bucketMs: number; top: number }): CountedStats {
  const params: Record<string, number> = { bk: range.bucketMs, top: range.top };
  const bounds = (p: Piece, i: number, column: string): string[] => {
    params[`lo${i}`] = p.lo;
    params[`hi${i}`] = p.hi;
    return [`${column} >= @lo${i}`, `${column} < @hi${i}`];
  };
  const whole = (pieces: Piece[]): Piece[] => (pieces.length > 0 ? pieces : [{ width: null, lo: range.from, hi: range.to }]);
  const rulePieces = whole(cover(range.from, range.to, RULE_WIDTHS.filter((w) => range.bucketMs % w === 0)));
  const sourcePieces = whole(cover(range.from, range.to, [SOURCE_WIDTH]));
  let k = 0;
  const ruleParts = rulePieces.map((p) => ({ p, i: k++ }));
  const sourceParts = sourcePieces.map((p) => ({ p, i: k++ }));
  const union = (parts: string[]): string => parts.join('\n        UNION ALL ');
  const buckets = union(ruleParts.map(({ p, i }) => p.width === null
    ? `SELECT time - time % @bk AS t, level, 1 AS n FROM alerts ${where(bounds(p, i, 'time'))}`
    : `SELECT slot - slot % @bk AS t, level, count AS n FROM alert_counts ${where([`width = ${p.width}`, ...bounds(p, i, 'slot')])}`));
  const rules = union(ruleParts.map(({ p, i }) => p.width === null
    ? `SELECT rule_id, description AS d, level, 1 AS n FROM alerts ${where(bounds(p, i, 'time'))}`
    : `SELECT rule_id, description AS d, level, count AS n FROM alert_counts ${where([`width = ${p.width}`, ...bounds(p, i, 'slot')])}`));
  const sources = union(sourceParts.map(({ p, i }) => p.width === null
    ? `SELECT srcip, 1 AS n FROM alerts ${where([...bounds(p, i, 'time'), 'srcip IS NOT NULL'])}`
    : `SELECT srcip, count AS n FROM alert_source_counts ${where(bounds(p, i, 'slot'))}`));
  return {
    buckets: `SELECT t, level, SUM(n) AS count FROM (${buckets}) GROUP BY t, level ORDER BY t, level`,
    topRules: `SELECT rule_id, MAX(d) AS description, MAX(level) AS level, SUM(n) AS count FROM (${rules}) GROUP BY rule_id ORDER BY count DESC, rule_id LIMIT @top`,
    topSources: `SELECT srcip, SUM(n) AS count FROM (${sources}) GROUP BY srcip ORDER BY count DESC, srcip LIMIT @top`,
    params,
  };
}
