// The rules of the running engine as the dashboard reads them (tree, one rule with its chain and
// bindings), and the overrides admins set on them: stored, audited, then applied by a recompile
// of the running files (correlation state of every rule is kept: no rule text changed).
import type { ArBinding, Engine, Rule } from '@portcullis/engine';
import { bindActiveResponses } from '@portcullis/engine';
import type { RuleDetail, RuleOverride, RuleOverrideSet, RuleRef, RuleSummary } from '@portcullis/shared';
import type { Db } from '../../db/database.js';
import { BadRequestError, NotFoundError } from '../../errors.js';
import { displayPath } from '../../config/ruleset-files.js';
import type { RulesetManager } from '../../pipeline/ruleset-manager.js';
import { correlates, ruleHash, writtenOf } from '../../pipeline/rule-overrides.js';
import { arBindingsOf } from '../active-response/policy.js';
import type { Actor } from '../accounts/accounts.service.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { OverrideRow, OverridesRepository } from './overrides.repository.js';

function ref(r: Rule): RuleRef {
  return { id: r.id, level: r.level, description: r.description };
}

export class RulesService {
  /** Bindings per rule id, computed once per engine (they change only with a recompile). */
  readonly #bound = new WeakMap<Engine, Map<number, ArBinding[]>>();

  constructor(
    private readonly db: Db,
    private readonly ruleset: RulesetManager,
    private readonly overrides: OverridesRepository,
    private readonly audit: AuditRepository,
  ) {}

  #rule(id: number): Rule {
    const rule = this.ruleset.engine.ruleset.tree.byId.get(id);
    if (!rule) throw new NotFoundError(`no rule ${id} in the running ruleset`);
    return rule;
  }

  #summary(rule: Rule, row: OverrideRow | undefined): RuleSummary {
    const w = writtenOf(rule);
    const corr = correlates(rule);
    return {
      id: rule.id,
      level: rule.level,
      base_level: w.level,
      description: rule.description,
      groups: rule.groupList,
      file: displayPath(this.ruleset.context.home, rule.file),
      parents: rule.parents.map((p) => p.id),
      if_group: rule.ifGroup,
      frequency: corr ? w.frequency : null,
      timeframe: corr ? w.timeframe : null,
      disabled: rule.disabled,
      overridden: row !== undefined,
      stale_override: row !== undefined && row.rule_hash !== ruleHash(rule),
    };
  }

  #override(row: OverrideRow): RuleOverride {
    const rule = this.ruleset.engine.ruleset.tree.byId.get(row.rule_id);
    return {
      rule_id: row.rule_id,
      level: row.level,
      disabled: row.disabled === 1,
      frequency: row.frequency,
      timeframe: row.timeframe,
      note: row.note,
      updated_by: row.author,
      updated_at: new Date(row.updated_at).toISOString(),
      rule_hash: row.rule_hash,
      stale: rule !== undefined && ruleHash(rule) !== row.rule_hash,
      orphaned: rule === undefined,
    };
  }

  list(): RuleSummary[] {
    const rows = new Map(this.overrides.all().map((r) => [r.rule_id, r]));
    return this.ruleset.engine.ruleset.tree.all.map((r) => this.#summary(r, rows.get(r.id)));
  }

  detail(id: number): RuleDetail {
    const rule = this.#rule(id);
    const row = this.overrides.get(id) ?? undefined;
    const chain: Rule[] = [];
    const seen = new Set<Rule>([rule]);
    for (let p = rule.parents[0]; p && !seen.has(p); p = p.parents[0]) {
      seen.add(p);
      chain.unshift(p);
    }
    return {
      ...this.#summary(rule, row),
      line: rule.line,
      column: rule.column,
      source: rule.sourceText,
      chain: chain.map(ref),
      children: rule.children.map(ref),
      decoded_as: rule.decodedAs,
      active_responses: (this.#bindings().get(rule.id) ?? []).map((b) => b.index),
      override: row ? this.#override(row) : null,
    };
  }

  #bindings(): Map<number, ArBinding[]> {
    const engine = this.ruleset.engine;
    let m = this.#bound.get(engine);
    if (!m) {
      const ctx = this.ruleset.context;
      m = bindActiveResponses(engine.ruleset.tree.all, arBindingsOf(ctx.cfg), ctx.dialect);
      this.#bound.set(engine, m);
    }
    return m;
  }

  overridesList(): RuleOverride[] {
    return this.overrides.all().map((r) => this.#override(r));
  }

  setOverride(id: number, body: RuleOverrideSet, actor: Actor): RuleOverride {
    const rule = this.#rule(id);
    const { level, disabled, frequency, timeframe, note } = body;
    if (level === undefined && !disabled && frequency === undefined && timeframe === undefined)
      throw new BadRequestError('an override needs a level, disabled, a frequency or a timeframe', 'EMPTY_OVERRIDE');
    if ((frequency !== undefined || timeframe !== undefined) && !correlates(rule))
      throw new BadRequestError(`rule ${id} does not correlate events (no if_matched_sid, if_matched_group or if_matched_regex): frequency and timeframe do not apply`, 'NOT_CORRELATION');
    const before = this.overrides.get(id);
    const row = this.db.transaction(() => {
      const r = this.overrides.upsert({
        ruleId: id,
        level: level ?? null,
        disabled: disabled ?? false,
        frequency: frequency ?? null,
        timeframe: timeframe ?? null,
        note,
        ruleHash: ruleHash(rule),
        author: actor.name,
      });
      this.audit.record({ actor: actor.name, sourceIp: actor.ip, action: before ? 'rule.override_update' : 'rule.override', target: `rule ${id}`, before: before ? this.#override(before) : { level: writtenOf(rule).level }, after: this.#override(r) });
      return r;
    })();
    this.ruleset.reload(`override of rule ${id} by ${actor.name ?? 'unknown'}`, 'running');
    return this.#override(row);
  }

  deleteOverride(id: number, actor: Actor): void {
    const before = this.overrides.get(id);
    if (!before) throw new NotFoundError(`rule ${id} has no override`);
    this.db.transaction(() => {
      this.overrides.delete(id);
      this.audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'rule.override_delete', target: `rule ${id}`, before: this.#override(before), after: null });
    })();
    this.ruleset.reload(`override of rule ${id} removed by ${actor.name ?? 'unknown'}`, 'running');
  }
}
