// Rule evaluation and correlation (spec §5.3, §5.4, §11.4): a depth-first walk where the first
// child whose subtree yields a rule wins, noalert falls through, and if_matched_* rules search
// lists of earlier alerted events with the dialect's counting rule.
import type { Event } from './event.js';
import type { Dialect } from './regex/pattern.js';
import type { Rule } from './rules.js';
import type { EventList } from './event-list.js';
import type { RuleTree } from './rule-tree.js';

export interface EvalState {
  dialect: Dialect;
  tree: RuleTree;
  /** Global history of alerted events (memory_size). */
  history: Event[];
  memorySize: number;
  /** First-time-seen keys (bounded). */
  fts: Set<string>;
  /** Remembered <ignore> field tuples (bounded). */
  ignored: Set<string>;
  /** How `ignore` re-arms once its window has passed (see Engine options). */
  ignoreRearm: 'daemon' | 'logtest';
}

const FTS_MAX = 100_000;

function filtersPass(rule: Rule, ev: Event, prev: Event, dialect: Dialect): boolean {
  for (const f of rule.sameFields) {
    let a: string | undefined;
    let b: string | undefined;
    if (f.startsWith('dyn:')) {
      a = ev.getDynamic(f.slice(4));
      b = prev.getDynamic(f.slice(4));
    } else if (f === 'location' && dialect === 'ossec') {
      a = ev.hostname ?? undefined;
      b = prev.hostname ?? undefined;
    } else {
      a = ev.getField(f);
      b = prev.getField(f);
    }
    if (a === undefined || b === undefined || a !== b) return false;
  }
  for (const f of rule.differentFields) {
    if (dialect === 'ossec' && f !== 'url') continue; // OSSEC 4.2 checks only different_url
    const a = f.startsWith('dyn:') ? ev.getDynamic(f.slice(4)) : ev.getField(f);
    const b = f.startsWith('dyn:') ? prev.getDynamic(f.slice(4)) : prev.getField(f);
    if (a === undefined || b === undefined || a === b) return false;
  }
  return true;
}

function needed(rule: Rule, dialect: Dialect): number {
  const f = rule.frequency;
  if (dialect === 'ossec') return (f ?? 0) + 1;
  return f === null || f < 2 ? 1 : f - 1;
}

/** Searches `list` for enough earlier qualifying events; marks them on success. */
function searchList(rule: Rule, ev: Event, list: Event[], dialect: Dialect, regexOnLog: boolean): boolean {
  const want = needed(rule, dialect);
  const now = ev.time;
  let count = 0;
  let newestCounted: Event | null = null;
  let oldestCounted: Event | null = null;
  for (let i = list.length - 1; i >= 0; i--) {
    const e = list[i]!;
    if (now - e.time > rule.timeframe) break;
    if (dialect === 'ossec' && e.matched >= rule.level) return false;
    if (regexOnLog && (e.decoderCategory !== ev.decoderCategory || !rule.ifMatchedRegex!.test(e.log))) continue;
    if (!filtersPass(rule, ev, e, dialect)) continue;
    if (dialect === 'wazuh' && e.matched >= rule.level) return false;
    count++;
    newestCounted ??= e;
    oldestCounted = e;
    if (count >= want) {
      ev.matched = rule.level;
      newestCounted.matched = rule.level;
      if (dialect === 'ossec') {
        oldestCounted.matched = rule.level;
        const newest = list[list.length - 1];
        if (newest) newest.matched = rule.level;
      }
      return true;
    }
  }
  return false;
}

const NONE: Event[] = [];

/** The events a search must walk: one source's when the list keeps that index and the rule filters on it. */
function view(rule: Rule, ev: Event, list: EventList): Event[] {
  if (list.bySrcip === null || !rule.sameFields.includes('srcip')) return list.items;
  return ev.srcip === undefined ? NONE : (list.bySrcip.get(ev.srcip) ?? NONE);
}

function correlate(rule: Rule, ev: Event, st: EvalState): boolean {
  if (rule.ifMatchedSid !== null) {
    const target = st.tree.byId.get(rule.ifMatchedSid);
    const list = target?.sidPrevMatched;
    return list ? searchList(rule, ev, view(rule, ev, list), st.dialect, false) : false;
  }
  if (rule.ownGroupList) return searchList(rule, ev, view(rule, ev, rule.ownGroupList), st.dialect, false);
  if (rule.ifMatchedRegex) return searchList(rule, ev, st.history, st.dialect, true);
  return true;
}

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

function testsPass(rule: Rule, ev: Event, st: EvalState): boolean {
  if (rule.disabled) return false;
  const tests = rule.tests;
  for (let i = 0; i < tests.length; i++) if (!tests[i]!(ev)) return false;
  if (rule.ifFts) {
    const key = ftsKey(ev, st.dialect);
    if (key === null || st.fts.has(key)) return false;
    if (st.fts.size >= FTS_MAX) st.fts.clear();
    st.fts.add(key);
  }
  if (rule.ifMatchedSid !== null || rule.ownGroupList !== null || rule.ifMatchedRegex !== null) return correlate(rule, ev, st);
  return true;
}

/**
 * Children worth trying for this event: those whose decoded_as and program_name tests, which
 * depend only on the decoder and the program name, do not rule them out. Cached per node.
 */
function childrenFor(rule: Rule, ev: Event): Rule[] {
  let idx = rule.childIndex;
  if (idx === null) idx = rule.childIndex = new Map();
  const decoderName = ev.decoder?.name ?? '';
  const programName = ev.programName;
  const first = ev.log.length > 0 ? ev.log[0]! : '';
  const key = (ev.childKey ??= `${decoderName}\u0000${programName ?? '\u0001'}\u0000${first}`);
  let list = idx.get(key);
  if (list === undefined) {
    list = rule.children.filter(
      (c) =>
        (c.decodedAs === null || c.decodedAs === decoderName) &&
        (c.programNameTest === null || c.programNameTest(programName)) &&
        (c.logFirstChars === null || c.logFirstChars.has(first)),
    );
    if (idx.size >= 8192) idx.clear();
    idx.set(key, list);
  }
  return list;
}

export interface WalkResult {
  rule: Rule;
  /** The parent of the rule in the path that matched (Wazuh's prev_rule for `ignore`). */
  prev: Rule | null;
}

function check(rule: Rule, ev: Event, st: EvalState, out: { prev: Rule | null }): Rule | null {
  if (!testsPass(rule, ev, st)) return null;
  const kids = rule.children.length === 0 ? rule.children : childrenFor(rule, ev);
  for (let i = 0; i < kids.length; i++) {
    const c = check(kids[i]!, ev, st, out);
    if (c) {
      out.prev ??= rule;
      return c;
    }
  }
  if (rule.noalert) return null;
  return rule;
}

export function walkRules(ev: Event, st: EvalState): WalkResult | null {
  const cat = ev.decoderCategory;
  for (const root of st.tree.roots) {
    if (root.category !== cat) continue;
    const out = { prev: null as Rule | null };
    const r = check(root, ev, st, out);
    if (r) return { rule: r, prev: out.prev };
  }
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

/** Decides what an event that matched `res` produces, and feeds correlation memory. */
export function handle(res: WalkResult | null, ev: Event, st: EvalState, logAlertLevel: number): Verdict {
  if (!res) return { rule: null, alertRule: null, alert: false, ignored: false };
  let rule = res.rule;
  if (rule.level === 0) return { rule, alertRule: null, alert: false, ignored: false };
  const now = ev.time;
  if (rule.ignoreSeconds > 0) {
    if (rule.timeIgnored === 0) rule.timeIgnored = now;
    else if (now - rule.timeIgnored < rule.ignoreSeconds) {
      if (st.dialect === 'ossec' || !res.prev || res.prev.level === 0)
        return { rule: res.rule, alertRule: null, alert: false, ignored: true };
      rule = res.prev;
    } else rule.timeIgnored = st.ignoreRearm === 'daemon' ? now : 0;
  }
  if (rule.checkIfIgnored && rule.ignoreFields) {
    if (st.ignored.has(fieldsKey(rule, rule.checkIfIgnored, ev))) return { rule: res.rule, alertRule: null, alert: false, ignored: true };
  }
  if (rule.ignoreFields) {
    if (st.ignored.size >= FTS_MAX) st.ignored.clear();
    st.ignored.add(fieldsKey(rule, rule.ignoreFields, ev));
  }
  rule.firedTimes++;
  ev.ruleId = rule.id;
  const alert = rule.level >= logAlertLevel && !rule.options.has('no_log');
  remember(rule, ev, st);
  return { rule: res.rule, alertRule: rule, alert, ignored: false };
}

/** Correlation bookkeeping: sid list, else group lists; then the bounded global history. */
function remember(rule: Rule, ev: Event, st: EvalState): void {
  (ev as { rule?: Rule }).rule = rule;
  if (rule.sidPrevMatched) rule.sidPrevMatched.push(ev);
  else for (const l of rule.groupPrevMatched) l.push(ev);
  const h = st.history;
  h.push(ev);
  if (h.length <= st.memorySize) return;
  if (st.dialect === 'wazuh') evictWazuh(h.shift()!);
  else evictOssec(h, ev, st.tree.maxFrequency);
}


function evictWazuh(old: Event): void {
  const rule = (old as { rule?: Rule }).rule;
  if (!rule) return;
  if (rule.sidPrevMatched) rule.sidPrevMatched.remove(old);
  else for (const l of rule.groupPrevMatched) l.remove(old);
}

/** OSSEC 4.x: free the 10 oldest, then keep freeing while the oldest is over _max_freq seconds older. */
function evictOssec(h: Event[], newest: Event, maxFreq: number): void {
  let freed = 0;
  while (h.length > 0 && (freed < 10 || newest.time - h[0]!.time > maxFreq)) {
    const old = h.shift()!;
    freed++;
    const rule = (old as { rule?: Rule }).rule;
    if (!rule) continue;
    if (rule.sidPrevMatched) rule.sidPrevMatched.remove(old);
    else for (const l of rule.groupPrevMatched) l.removeOldest();
  }
}
