// SQL for `rule_overrides` (migrations/0060_rules.sql): one row per tuned rule.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';
import type { OverrideSpec } from '../../pipeline/rule-overrides.js';

export interface OverrideRow {
  rule_id: number;
  level: number | null;
  disabled: number;
  frequency: number | null;
  timeframe: number | null;
  note: string;
  rule_hash: string;
  author: string | null;
  created_at: number;
  updated_at: number;
}

export interface OverrideInput {
  ruleId: number;
  level: number | null;
  disabled: boolean;
  frequency: number | null;
  timeframe: number | null;
  note: string;
  ruleHash: string;
  author: string | null;
}

export function toSpec(r: OverrideRow): OverrideSpec {
  return { ruleId: r.rule_id, level: r.level, disabled: r.disabled === 1, frequency: r.frequency, timeframe: r.timeframe };
}

export class OverridesRepository {
  readonly #all: Statement;
  readonly #one: Statement;
  readonly #upsert: Statement;
  readonly #delete: Statement;

  constructor(db: Db) {
    this.#all = db.prepare('SELECT * FROM rule_overrides ORDER BY rule_id');
    this.#one = db.prepare('SELECT * FROM rule_overrides WHERE rule_id = ?');
    this.#upsert = db.prepare(`INSERT INTO rule_overrides (rule_id, level, disabled, frequency, timeframe, note, rule_hash, author, created_at, updated_at)
      VALUES (@ruleId, @level, @disabled, @frequency, @timeframe, @note, @ruleHash, @author, @now, @now)
      ON CONFLICT (rule_id) DO UPDATE SET level = excluded.level, disabled = excluded.disabled, frequency = excluded.frequency,
        timeframe = excluded.timeframe, note = excluded.note, rule_hash = excluded.rule_hash, author = excluded.author, updated_at = excluded.updated_at`);
    this.#delete = db.prepare('DELETE FROM rule_overrides WHERE rule_id = ?');
  }

  all(): OverrideRow[] {
    return this.#all.all() as OverrideRow[];
  }

  get(ruleId: number): OverrideRow | null {
    return (this.#one.get(ruleId) as OverrideRow | undefined) ?? null;
  }

  /** What the engine applies at each compile. */
  specs(): OverrideSpec[] {
    return this.all().map(toSpec);
  }

  upsert(o: OverrideInput, now = Date.now()): OverrideRow {
    this.#upsert.run({ ...o, disabled: o.disabled ? 1 : 0, now });
    return this.get(o.ruleId)!;
  }

  delete(ruleId: number): boolean {
    return this.#delete.run(ruleId).changes > 0;
  }
}
