// Rule evaluation (spec §5.3, §11.4): a depth-first walk where the first child whose subtree yields
// a rule wins and noalert falls through; if_matched_* rules search earlier alerted events
// (correlate.ts), and what an alerted event leaves in correlation memory is decided here.
import type { CorrelationRecord, RecordFilter, RecordLayout } from './correlation-record.js';
import { filterOf } from './correlation-record.js';
import type { CorrelationMemory } from './correlate.js';
import { correlate, remember } from './correlate.js';
import type { Event } from './event.js';
import { logMask } from './event.js';
import type { Dialect } from './regex/pattern.js';
import type { Rule } from './rules.js';
import { ruleTests, testRecipe } from './rule-recipes.js';
import type { EventTest } from './rule-tests.js';
import { logTestRequired } from './rule-tests.js';

export interface EvalState extends CorrelationMemory {
  /** First-time-seen keys (bounded). */
  fts: Set<string>;
  /** Remembered <ignore> field tuples (bounded). */
  ignored: Set<string>;
  /** How `ignore` re-arms once its window has passed (see Engine options). */
  ignoreRearm: 'daemon' | 'logtest';
  /** The tree as the walk runs it (built on the first walk; see RuleNode). */
  nodes?: NodeSet;
}

const FTS_MAX = 100_000;

function ftsKey(ev: Event, dialect: Dialect): string | null {
  if (ev.fts === null || ev.decoder === null) return null;
  let key = ev.decoder.name;
  for (const f of ev.fts) {
    // `name` is the decoder name; OSSEC 4.2 maps `srcuser` in <fts> to the dstuser value, Wazuh does not.
    const v =
      f === 'name' ? ev.decoder.name : f === 'user' || (f === 'srcuser' && dialect === 'ossec') ? ev.dstuser : ev.getField(f);
    key += `|${v ?? ''}`;
  }
  return key;
}

function testsPass(node: RuleNode, ev: Event, st: EvalState): boolean {
  const rule = node.rule;
  if (rule.disabled) return false;
  const tests = node.tests;
  for (let i = 0; i < tests.length; i++) if (!tests[i]!(ev)) return false;
  if (rule.ifFts) {
    const key = ftsKey(ev, st.dialect);
    if (key === null || st.fts.has(key)) return false;
    if (st.fts.size >= FTS_MAX) st.fts.clear();
    st.fts.add(key);
  }
  if (rule.ifMatchedSid !== null || rule.ownGroupList !== null || rule.ifMatchedRegex !== null) return correlate(rule, node.filter, ev, st);
  return true;
}

/**
 * A rule as the walk runs it. Its children are grouped, per event, by what decides them before any
 * test runs (spec §11.7: decoded_as, program_name, the first character a <match>/<regex> needs), so a
 * node offers an event only the children that can match it; and it carries the characters its log
 * tests need, so the walk skips it without calling a test when the log lacks one. One per rule per
 * engine state, made on first visit.
 */
class RuleNode {
  /** Lowercased-ASCII characters (4 × 32 bits) the rule's log tests need: a log without one fails a test. */
  readonly need0: number;
  readonly need1: number;
  readonly need2: number;
  readonly need3: number;
  readonly hasNeed: boolean;
  /** Children as nodes (made on first use) and which of the three keys tell them apart. */
  kids: RuleNode[] | null = null;
  byDecoder = false;
  byProgram = false;
  byFirst = false;
  /** decoder name → program name → first character code (-1: empty log) → the children to try. */
  index = new Map<string, Map<string | null, Map<number, RuleNode[]>>>();
  indexSize = 0;
  /** The rule's same_* / different_* filters as record slots (correlation rules only). */
  readonly filter: RecordFilter;
  /**
   * The rule's tests the walk runs. A child is offered only to events its decoded_as and
   * program_name tests pass (see childrenFor), so a child node leaves those two out.
   */
  readonly tests: EventTest[];

  constructor(
    readonly rule: Rule,
    layout: RecordLayout,
    asChild: boolean,
  ) {
    this.filter = filterOf(layout, rule);
    const tests = ruleTests(rule); // a restored snapshot's rule builds them now
    this.tests = asChild ? tests.filter((t) => !answeredByIndex(t)) : tests;
    const need = new Int32Array(4);
    for (const t of tests) {
      const r = logTestRequired(t);
      if (r) for (let i = 0; i < 4; i++) need[i]! |= r[i]!;
    }
    this.need0 = need[0]!;
    this.need1 = need[1]!;
    this.need2 = need[2]!;
    this.need3 = need[3]!;
    this.hasNeed = (this.need0 | this.need1 | this.need2 | this.need3) !== 0;
  }
}

/** A decoded_as or program_name test: what a node's children index decides before tests run. */
function answeredByIndex(t: EventTest): boolean {
  const r = testRecipe(t);
  return r !== undefined && (r.k === 'decoder' || (r.k === 'field' && r.key === 'program_name'));
}

interface NodeSet {
  roots: RuleNode[];
  byRule: Map<Rule, RuleNode>;
  layout: RecordLayout;
}

/** The node of `rule`; `asChild`: made for a rule reached through a parent's children index (roots never are). */
function nodeOf(nodes: NodeSet, rule: Rule, asChild: boolean): RuleNode {
  let n = nodes.byRule.get(rule);
  if (n === undefined) {
    n = new RuleNode(rule, nodes.layout, asChild);
    nodes.byRule.set(rule, n);
  }
  return n;
}

function nodesOf(st: EvalState): NodeSet {
  if (st.nodes === undefined) {
    const nodes: NodeSet = { roots: [], byRule: new Map(), layout: st.tree.correlation };
    nodes.roots = st.tree.roots.map((r) => nodeOf(nodes, r, false));
    st.nodes = nodes;
  }
  return st.nodes;
}

function kidsOf(node: RuleNode, nodes: NodeSet): RuleNode[] {
  if (node.kids === null) {
    const kids = node.rule.children.map((c) => nodeOf(nodes, c, true));
    node.byDecoder = kids.some((k) => k.rule.decodedAs !== null);
    node.byProgram = kids.some((k) => k.rule.programNameTest !== null);
    node.byFirst = kids.some((k) => k.rule.logFirstChars !== null);
    node.kids = kids;
  }
  return node.kids;
}

/** Entries a node's children index keeps before it starts over (program names come from logs). */
const INDEX_MAX = 8192;

/**
 * Children worth trying for this event: those whose decoded_as and program_name tests, which
 * depend only on the decoder and the program name, and whose first-character need do not rule
 * them out.
 */
function childrenFor(node: RuleNode, ev: Event, nodes: NodeSet): RuleNode[] {
  const kids = kidsOf(node, nodes);
  const decoderName = node.byDecoder ? (ev.decoder?.name ?? '') : '';
  const programName = node.byProgram ? ev.programName : null;
  const first = node.byFirst ? (ev.log.length > 0 ? ev.log.charCodeAt(0) : -1) : 0;
  let byProgram = node.index.get(decoderName);
  let byFirst = byProgram?.get(programName);
  const hit = byFirst?.get(first);
  if (hit !== undefined) return hit;
  const firstChar = first < 0 ? '' : String.fromCharCode(first);
  const list = kids.filter(
    (k) =>
      (k.rule.decodedAs === null || k.rule.decodedAs === decoderName) &&
      (k.rule.programNameTest === null || k.rule.programNameTest(programName)) &&
      (k.rule.logFirstChars === null || k.rule.logFirstChars.has(firstChar)),
  );
  if (node.indexSize >= INDEX_MAX) {
    node.index.clear();
    node.indexSize = 0;
    byProgram = byFirst = undefined;
  }
  if (byProgram === undefined) node.index.set(decoderName, (byProgram = new Map()));
  if (byFirst === undefined) byProgram.set(programName, (byFirst = new Map()));
  byFirst.set(first, list);
  node.indexSize++;
  return list;
}

/** False when the log lacks a character the node's log tests need (its tests would fail). */
function mayMatch(node: RuleNode, ev: Event): boolean {
  if (!node.hasNeed) return true;
  const m = logMask(ev);
  return ((node.need0 & ~m.m0) | (node.need1 & ~m.m1) | (node.need2 & ~m.m2) | (node.need3 & ~m.m3)) === 0;
}

/** The parent of the matched rule in the current walk (set once, by the innermost successful level). */
let walkPrev: Rule | null = null;

/** The parent of the rule the last walkRules returned, in the path that matched (Wazuh's prev_rule for `ignore`). */
export function walkParent(): Rule | null {
  return walkPrev;
}

function check(node: RuleNode, ev: Event, st: EvalState, nodes: NodeSet): Rule | null {
  const rule = node.rule;
  if (!testsPass(node, ev, st)) return null;
  if (rule.children.length > 0) {
    const kids = childrenFor(node, ev, nodes);
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i]!;
      if (!mayMatch(k, ev)) continue;
      const c = check(k, ev, st, nodes);
      if (c !== null) {
        walkPrev ??= rule;
        return c;
      }
    }
  }
  if (rule.noalert) return null;
  return rule;
}

/** The rule the event matches (level 0 included), or null; its parent in the path is walkParent(). */
export function walkRules(ev: Event, st: EvalState): Rule | null {
  const cat = ev.decoderCategory;
  const nodes = nodesOf(st);
  const roots = nodes.roots;
  for (let i = 0; i < roots.length; i++) {
    const root = roots[i]!;
    if (root.rule.category !== cat || !mayMatch(root, ev)) continue;
    walkPrev = null;
    const r = check(root, ev, st, nodes);
    if (r !== null) return r;
  }
  walkPrev = null;
  return null;
}

export interface Verdict {
  /** The rule the tree walk returned (may be level 0), or null. */
  rule: Rule | null;
  /** The rule the event alerts as (differs from `rule` when Wazuh's ignore falls back to the parent). */
  alertRule: Rule | null;
  /** True when an alert is generated. */
  alert: boolean;
  /** True when the event was suppressed by `ignore` or `check_if_ignored`. */
  ignored: boolean;
}

function fieldsKey(rule: Rule, fields: string[], ev: Event): string {
  return `${rule.id}|${fields.map((f) => ev.getField(f) ?? '').join('|')}`;
}

/**
 * Decides what an event whose walk returned `matched` (with `prev`, its parent in the path)
 * produces, writes it into `out` (whose fields callers set to null/false first), and feeds
 * correlation memory. Returns what correlation keeps of the event, or null.
 */
export function handle(matched: Rule | null, prev: Rule | null, ev: Event, st: EvalState, logAlertLevel: number, out: Verdict): CorrelationRecord | null {
  if (matched === null) return null;
  out.rule = matched;
  let rule = matched;
  if (rule.level === 0) return null;
  const now = ev.time;
  if (rule.ignoreSeconds > 0) {
    if (rule.timeIgnored === 0) rule.timeIgnored = now;
    else if (now - rule.timeIgnored < rule.ignoreSeconds) {
      if (st.dialect === 'ossec' || !prev || prev.level === 0) {
        out.ignored = true;
        return null;
      }
      rule = prev;
    } else rule.timeIgnored = st.ignoreRearm === 'daemon' ? now : 0;
  }
  if (rule.checkIfIgnored && rule.ignoreFields) {
    if (st.ignored.has(fieldsKey(rule, rule.checkIfIgnored, ev))) {
      out.ignored = true;
      return null;
    }
  }
  if (rule.ignoreFields) {
    if (st.ignored.size >= FTS_MAX) st.ignored.clear();
    st.ignored.add(fieldsKey(rule, rule.ignoreFields, ev));
  }
  rule.firedTimes++;
  ev.ruleId = rule.id;
  out.alertRule = rule;
  out.alert = rule.level >= logAlertLevel && !rule.options.has('no_log');
  return remember(rule, ev, st);
}

interface DescriptionTemplate {
  /** The description it was made from (a rule overwritten in place gets a new one). */
  text: string;
  /** literal, field name, literal, … ; null when the description names no field. */
  parts: string[] | null;
}
const DESCRIPTIONS = new WeakMap<Rule, DescriptionTemplate>();
const FIELD_REF = /\$\(([^)]+)\)/;

/** A rule's description for an event: Wazuh substitutes `$(field)` with the event's value ('' when unset). */
export function describe(rule: Rule, ev: Event, dialect: Dialect): string {
  const text = rule.description;
  if (dialect !== 'wazuh') return text;
  let t = DESCRIPTIONS.get(rule);
  if (t === undefined || t.text !== text) {
    t = { text, parts: text.includes('$(') ? text.split(FIELD_REF) : null };
    DESCRIPTIONS.set(rule, t);
  }
  const parts = t.parts;
  if (parts === null) return text;
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) out += (ev.getField(parts[i]!) ?? '') + parts[i + 1]!;
  return out;
}
