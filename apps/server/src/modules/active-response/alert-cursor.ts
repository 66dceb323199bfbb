// Where active response has read the committed alerts to. The ingest thread commits alerts and the
// event loop decides on them after (pipeline/ingest-thread.ts): a crash can fall between the two.
// The cursor commits with the decisions it covers; a stretch of alerts no response is bound to
// moves it in memory (pipeline/idle-cursor.ts). At start, the alerts after it that are recent
// enough to act on are decided then, rebuilt from their rows.
import type { Rule } from '@portcullis/engine';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';
import { IdleCursor } from '../../pipeline/idle-cursor.js';
import { rowToRecord, type AlertRow } from '../alerts/alerts.repository.js';
import type { PersistedAlert } from '../../pipeline/pipeline.js';

const NAME = 'active-response';
/** Alerts older than this at start are not acted on (an attack long over). */
export const CATCH_UP_MAX_AGE_MS = 10 * 60_000;
const CATCH_UP_BATCH = 1000;

export class AlertCursor {
  readonly #db: Db;
  readonly #read: Statement;
  readonly #cursor: IdleCursor;

  constructor(db: Db) {
    this.#db = db;
    this.#read = db.prepare('SELECT last_id FROM alert_cursors WHERE name = ?').pluck();
    const write = db.prepare(`INSERT INTO alert_cursors (name, last_id, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id, updated_at = excluded.updated_at`);
    this.#cursor = new IdleCursor((id, now) => void write.run(NAME, id, now));
  }

  get(): number | null {
    return this.#cursor.unwritten ?? (this.#read.get(NAME) as number | undefined) ?? null;
  }

  /** Writes the cursor (call inside the transaction of the decisions it covers). */
  set(id: number, now: number): void {
    this.#cursor.set(id, now);
  }

  /** Moves past alerts that needed no decision (in memory, written now and then). */
  pass(id: number, now: number): void {
    this.#cursor.pass(id, now);
  }

  flush(now: number): void {
    this.#cursor.flush(now);
  }

  /**
   * The committed alerts past the cursor, rebuilt for the consumer (the rule as the running ruleset
   * has it; the decoded fields from the row), those older than CATCH_UP_MAX_AGE_MS left out and
   * counted. A first start (no cursor) begins after the newest alert: nothing from before is acted on.
   */
  *pending(rules: ReadonlyMap<number, Rule>, now: number): Generator<{ batch: PersistedAlert[]; skipped: number }> {
    let from = this.get();
    if (from === null) {
      this.set((this.#db.prepare('SELECT max(id) FROM alerts').pluck().get() as number | null) ?? 0, now);
      return;
    }
    const read = this.#db.prepare('SELECT * FROM alerts WHERE id > ? ORDER BY id LIMIT ?');
    for (;;) {
      const rows = read.all(from, CATCH_UP_BATCH) as AlertRow[];
      if (rows.length === 0) return;
      from = rows[rows.length - 1]!.id;
      const batch: PersistedAlert[] = [];
      let skipped = 0;
      for (const row of rows) {
        const rule = rules.get(row.rule_id) ?? null;
        if (row.time < now - CATCH_UP_MAX_AGE_MS || rule === null) {
          skipped++;
          continue;
        }
        const record = rowToRecord(row);
        const f = record.fields;
        batch.push({ id: row.id, record, result: { rule, alertRule: rule, event: { srcip: f.srcip, dstuser: f.dstuser, filename: f.filename } } });
      }
      yield { batch, skipped };
      // Whatever the consumer did, the cursor moves past what was read.
      this.pass(from, now);
      if (rows.length < CATCH_UP_BATCH) return;
    }
  }
}
