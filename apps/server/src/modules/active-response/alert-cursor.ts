// Where active response has read the committed alerts to. The ingest thread commits alerts and the
// event loop decides on them after (pipeline/ingest-thread.ts): a crash can fall between the two.
// The cursor commits with the decisions it covers; a stretch of alerts no response is bound to
// moves it in memory, written at most every IDLE_CURSOR_MS (and at stop). At start, the alerts
// after it that are recent enough to act on are decided then, rebuilt from their rows.
import type { Rule } from '@portcullis/engine';
import type { Db } from '../../db/database.js';
import { rowToRecord, type AlertRow } from '../alerts/alerts.repository.js';
import type { PersistedAlert } from '../../pipeline/pipeline.js';

const NAME = 'active-response';
/** At most this many seconds of alerts no response is bound to are read again after a crash. */
export const IDLE_CURSOR_MS = 5000;
/** Alerts older than this at start are not acted on (an attack long over). */
export const CATCH_UP_MAX_AGE_MS = 10 * 60_000;
const CATCH_UP_BATCH = 1000;

export class AlertCursor {
  readonly #db: Db;
  #unwritten: number | null = null;
  #writtenAt = 0;

  constructor(db: Db) {
    this.#db = db;
  }

  get(): number | null {
    if (this.#unwritten !== null) return this.#unwritten;
    return (this.#db.prepare('SELECT last_id FROM alert_cursors WHERE name = ?').pluck().get(NAME) as number | undefined) ?? null;
  }

  /** Writes the cursor (call inside the transaction of the decisions it covers). */
  set(id: number, now: number): void {
    this.#db.prepare(`INSERT INTO alert_cursors (name, last_id, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id, updated_at = excluded.updated_at`).run(NAME, id, now);
    this.#unwritten = null;
    this.#writtenAt = now;
  }

  /** Moves past alerts that needed no decision: in memory, written when IDLE_CURSOR_MS have passed. */
  pass(id: number, now: number): void {
    if (Math.abs(now - this.#writtenAt) < IDLE_CURSOR_MS) this.#unwritten = id;
    else this.set(id, now);
  }

  flush(now: number): void {
    if (this.#unwritten !== null) this.set(this.#unwritten, now);
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
