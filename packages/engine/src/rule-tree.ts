// Building the rule tree (spec §5.2, §11.7): roots by category, children by if_sid / if_group /
// if_level, sibling order "level 0 first, then level descending, ties in load order", and the
// event lists that if_matched_sid / if_matched_group correlate over.
import type { DecoderSet } from './decoders.js';
import type { ErrorSink } from './errors.js';
import { RulesetError } from './errors.js';
import type { Dialect } from './regex/pattern.js';
import { compileOsMatch } from './regex/pattern.js';
import type { Lists, Rule, RuleParseContext } from './rules.js';
import type { RecordLayout } from './correlation-record.js';
import { EMPTY_LAYOUT, attachLayout } from './correlation-record.js';
import { RecordList } from './record-list.js';
import { parseRule } from './rules.js';
import type { SourceFile } from './types.js';
import { collectVariables } from './variables.js';
import type { XmlElement } from './xml.js';
import { attrCI, parseXml } from './xml.js';

/** Decoder names analysisd registers internally (no XML definition). */
const INTERNAL_DECODERS = [
  'rootcheck',
  'syscheck_integrity_changed',
  'syscheck_integrity_changed_2nd',
  'syscheck_integrity_changed_3rd',
  'syscheck_new_entry',
  'syscheck_deleted',
  'hostinfo_new',
  'hostinfo_modified',
  'syscheck_registry_key_added',
  'syscheck_registry_key_modified',
  'syscheck_registry_key_deleted',
  'syscheck_registry_value_added',
  'syscheck_registry_value_modified',
  'syscheck_registry_value_deleted',
  'syscollector',
  'ar_log_json',
  'sca',
  'dbsync',
];

export interface RuleTree {
  roots: Rule[];
  byId: Map<number, Rule>;
  /** Every rule in load order. */
  all: Rule[];
  /** Largest frequency attribute (OSSEC's history eviction uses it). */
  maxFrequency: number;
  /** What correlation keeps of an alerted event (see attachLayout). */
  correlation: RecordLayout;
}

function storedLevel(r: Rule): number {
  if (r.accuracyZero) return r.level;
  return r.level === 0 ? 9900 : r.level * 100;
}

function insertChild(parent: Rule, child: Rule): void {
  // `parents` mirrors `children` and is short, where a root may have a thousand children.
  if (child.parents.includes(parent)) return;
  // Children stay sorted by stored level, descending: insert before the first lower one (binary search).
  const kids = parent.children;
  const lvl = storedLevel(child);
  let lo = 0;
  let hi = kids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (storedLevel(kids[mid]!) < lvl) hi = mid;
    else lo = mid + 1;
  }
  if (lo === kids.length) kids.push(child);
  else kids.splice(lo, 0, child);
  child.parents.push(parent);
}

/**
 * OS_WordMatch as used by if_group at load time: `|` alternatives, leading `^`, substring, any
 * case. Split once per rule, not once per rule it is tried on.
 */
function wordMatcher(pattern: string): (subject: string) => boolean {
  const alts = pattern.toLowerCase().split('|');
  if (alts.includes('')) return () => true;
  return (subject) => {
    const s = subject.toLowerCase();
    for (const alt of alts) if (alt.startsWith('^') ? s.startsWith(alt.slice(1)) : s.includes(alt)) return true;
    return false;
  };
}

function walk(rules: Rule[], fn: (r: Rule) => void, seen = new Set<Rule>()): void {
  for (const r of rules) {
    if (seen.has(r)) continue;
    seen.add(r);
    fn(r);
    walk(r.children, fn, seen);
  }
}

export interface RuleLoadOptions {
  dialect: Dialect;
  lists: Lists;
  defaultTimeframe: number;
  sidPrevMatchedMax: number;
}

export function loadRules(files: SourceFile[], decoders: DecoderSet, opts: RuleLoadOptions, sink: ErrorSink): RuleTree {
  const { dialect } = opts;
  const roots: Rule[] = [];
  const byId = new Map<number, Rule>();
  const all: Rule[] = [];
  const decoderNames = new Set([...decoders.names, ...INTERNAL_DECODERS]);
  let maxFrequency = 0;
  const parseCtx: RuleParseContext = {
    lists: opts.lists,
    warn: (el, msg) => sink.warn(new RulesetError('BAD_VALUE', msg, el.file, el.line, el.column)),
  };

  for (const file of files) {
    const parsed = sink.guard(() => parseXml(file.text, file.path));
    if (!parsed) continue;
    const vars = sink.guard(() => collectVariables(parsed)) ?? new Map<string, string>();
    const starts = lineStarts(file.text);
    for (const groupEl of parsed) {
      const tag = groupEl.name.toLowerCase();
      if (tag === 'var') continue;
      if (tag !== 'group') {
        sink.add(new RulesetError('UNKNOWN_ELEMENT', `unexpected <${groupEl.name}> at the top of a rule file (expected <group>)`, groupEl.file, groupEl.line, groupEl.column));
        continue;
      }
      const groupName = attrCI(groupEl, 'name')?.value ?? '';
      for (const ruleEl of groupEl.children) {
        if (ruleEl.name.toLowerCase() !== 'rule') {
          if (ruleEl.name.toLowerCase() === 'var') continue;
          sink.add(new RulesetError('UNKNOWN_ELEMENT', `unexpected <${ruleEl.name}> inside <group> (expected <rule>)`, ruleEl.file, ruleEl.line, ruleEl.column));
          continue;
        }
        const rule = sink.guard(() => parseRule(ruleEl, groupName, vars, dialect, opts.defaultTimeframe, parseCtx));
        if (!rule) continue;
        rule.sourceText = sourceSlice(file.text, starts, ruleEl);
        sink.guard(() => place(rule, ruleEl));
      }
    }
  }

  function place(rule: Rule, el: XmlElement): void {
    if (rule.decodedAs !== null && !decoderNames.has(rule.decodedAs))
      throw new RulesetError('UNKNOWN_DECODER', `rule ${rule.id}: <decoded_as> names decoder "${rule.decodedAs}", which is not defined`, el.file, el.line, el.column);
    const existing = byId.get(rule.id);
    if (existing) {
      if (!rule.overwrite)
        throw new RulesetError('DUPLICATE_ID', `rule id ${rule.id} is already defined at ${existing.file}:${existing.line}`, el.file, el.line, el.column);
      overwrite(existing, rule);
      return;
    }
    if (rule.frequency !== null) maxFrequency = Math.max(maxFrequency, rule.frequency);
    if (rule.id < 10 && rule.ifSid.length === 0 && rule.ifGroup === null && rule.ifLevel === null) {
      rule.category ??= 'syslog';
      roots.push(rule);
    } else if (rule.ifSid.length > 0) {
      const missing: number[] = [];
      for (const sid of rule.ifSid) {
        const parent = byId.get(sid);
        if (!parent) missing.push(sid);
        else {
          rule.category ??= parent.category;
          insertChild(parent, rule);
        }
      }
      if (missing.length > 0)
        throw new RulesetError('UNKNOWN_PARENT', `rule ${rule.id}: <if_sid> names rule${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, not defined before it`, el.file, el.line, el.column);
    } else if (rule.ifLevel !== null) {
      const min = rule.ifLevel * 100;
      walk(roots, (r) => {
        if (r !== rule && storedLevel(r) >= min) insertChild(r, rule);
      });
    } else if (rule.ifGroup !== null) {
      const g = rule.ifGroup;
      const matches = wordMatcher(g);
      let found = false;
      walk(roots, (r) => {
        if (r !== rule && matches(r.groups)) {
          insertChild(r, rule);
          found = true;
        }
      });
      // Not an error in OSSEC or Wazuh: the rule is simply unreachable until such a group exists.
      if (!found) sink.warn(new RulesetError('UNKNOWN_PARENT', `rule ${rule.id}: <if_group> "${g}" matches no rule loaded before it; the rule can never match`, el.file, el.line, el.column));
    } else {
      const cat = rule.category ?? 'syslog';
      const root = roots.find((r) => r.category === cat);
      if (!root) throw new RulesetError('UNKNOWN_PARENT', `rule ${rule.id}: no root rule for category "${cat}"`, el.file, el.line, el.column);
      insertChild(root, rule);
    }

    // Correlation lists.
    if (rule.ifMatchedSid !== null) {
      const target = byId.get(rule.ifMatchedSid);
      if (!target)
        throw new RulesetError('UNKNOWN_PARENT', `rule ${rule.id}: <if_matched_sid> names rule ${rule.ifMatchedSid}, not defined before it`, el.file, el.line, el.column);
      target.sidPrevMatched ??= new RecordList(dialect === 'ossec' ? opts.sidPrevMatchedMax : Number.MAX_SAFE_INTEGER);
      if (dialect === 'wazuh' && rule.sameFields.includes('srcip')) target.sidPrevMatched.bySrcip ??= new Map();
    }
    if (rule.ifMatchedGroup !== null) {
      const list = new RecordList(Number.MAX_SAFE_INTEGER);
      if (dialect === 'wazuh' && rule.sameFields.includes('srcip')) list.bySrcip = new Map();
      rule.ownGroupList = list;
      const matcher = compileOsMatch(rule.ifMatchedGroup, { dialect });
      for (const r of all) if (matcher.test(r.groups)) r.groupPrevMatched.push(list);
    }
    byId.set(rule.id, rule);
    all.push(rule);
  }

  const tree: RuleTree = { roots, byId, all, maxFrequency, correlation: EMPTY_LAYOUT };
  attachLayout(tree, dialect);
  return tree;
}

/** Wazuh overwrite="yes": the new definition replaces the old one in place (same tree position). */
function overwrite(old: Rule, neu: Rule): void {
  const keep = {
    children: old.children,
    parents: old.parents,
    sidPrevMatched: old.sidPrevMatched,
    groupPrevMatched: old.groupPrevMatched,
    ownGroupList: old.ownGroupList,
    ifSid: old.ifSid,
    ifGroup: old.ifGroup,
    ifLevel: old.ifLevel,
    ifMatchedSid: old.ifMatchedSid,
    ifMatchedGroup: old.ifMatchedGroup,
    category: old.category,
  };
  Object.assign(old, neu, keep);
}

/** Where each line of `text` starts (line 1 at 0): once per file, not per rule (that was quadratic). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function sourceSlice(text: string, starts: number[], el: XmlElement): string {
  // The rule's own text, from its start tag to its end tag, for hashing and display.
  const start = (starts[el.line - 1] ?? text.length) + el.column - 1;
  const end = text.indexOf('</rule>', start);
  return end < 0 ? text.slice(start, start + 2000) : text.slice(start, end + 7);
}
