// The override layer (design decision 4), applied to a freshly compiled ruleset before an engine
// takes it: level, disabled, frequency and timeframe per rule id. The rule files are never
// touched; what the files say is kept on each rule (`writtenOf`) for the API to show beside it.
// An override changes what a match produces, not where the rule sits in the tree: sibling order
// was fixed by the written levels when the tree was built.
import { createHash } from 'node:crypto';
import type { CompiledRuleset, Rule } from '@portcullis/engine';

export interface OverrideSpec {
  ruleId: number;
  /** Null: the level as written. */
  level: number | null;
  disabled: boolean;
  frequency: number | null;
  timeframe: number | null;
}

export interface Written {
  level: number;
  frequency: number | null;
  timeframe: number;
}

export interface OverrideReport {
  applied: number;
  /** Overrides whose rule is not in this ruleset. */
  orphaned: number[];
}

/** sha256 of the rule's source text: what an override was made against. */
export function ruleHash(rule: Pick<Rule, 'sourceText'>): string {
  return createHash('sha256').update(rule.sourceText).digest('hex');
}

/** Whether the rule correlates earlier events (only then do frequency and timeframe mean anything). */
export function correlates(rule: Rule): boolean {
  return rule.ifMatchedSid !== null || rule.ifMatchedGroup !== null || rule.ifMatchedRegex !== null;
}

/** What the rule files say, before any override. */
export function writtenOf(rule: Rule): Written {
  const w = rule.ext.written as Written | undefined;
  return w ?? { level: rule.level, frequency: rule.frequency, timeframe: rule.timeframe };
}

/** Whether an override is in force on this rule. */
export function overridden(rule: Rule): boolean {
  return rule.ext.override !== undefined;
}

/**
 * Applies overrides to a ruleset no engine has taken yet. Callers must pass a fresh compile:
 * values are set in place and what was written is remembered on the first call only.
 */
export function applyOverrides(ruleset: CompiledRuleset, overrides: Iterable<OverrideSpec>): OverrideReport {
  const report: OverrideReport = { applied: 0, orphaned: [] };
  let frequencyChanged = false;
  for (const o of overrides) {
    const rule = ruleset.tree.byId.get(o.ruleId);
    if (!rule) {
      report.orphaned.push(o.ruleId);
      continue;
    }
    rule.ext.written ??= { level: rule.level, frequency: rule.frequency, timeframe: rule.timeframe } satisfies Written;
    rule.ext.override = o;
    if (o.level !== null) rule.level = o.level;
    rule.disabled = o.disabled;
    if (correlates(rule)) {
      if (o.frequency !== null) {
        rule.frequency = o.frequency;
        frequencyChanged = true;
      }
      if (o.timeframe !== null) rule.timeframe = o.timeframe;
    }
    report.applied++;
  }
  if (frequencyChanged) {
    // OSSEC's history eviction looks at the largest frequency in the ruleset.
    ruleset.tree.maxFrequency = ruleset.tree.all.reduce((m, r) => Math.max(m, r.frequency ?? 0), 0);
  }
  return report;
}
