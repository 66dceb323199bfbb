// Correlation (spec §5.4, §11.4): if_matched_* rules search lists of earlier alerted events, kept as
// CorrelationRecords, with the dialect's counting rule; alerted events are remembered in those lists
// and in the bounded global history, whose eviction follows the dialect.
import type { CorrelationRecord, RecordFilter, RecordLayout } from './correlation-record.js';
import { recordOf } from './correlation-record.js';
import type { Event } from './event.js';
import type { Dialect } from './regex/pattern.js';
import type { RecordList } from './record-list.js';
import type { Rule } from './rules.js';
import type { RuleTree } from './rule-tree.js';

/** What correlation reads and writes of an engine's state. */
export interface CorrelationMemory {
  dialect: Dialect;
  tree: RuleTree;
  /** Global history of alerted events (memory_size), oldest first. */
  history: RecordList;
  memorySize: number;
}

function needed(rule: Rule, dialect: Dialect): number {
  const f = rule.frequency;
  if (dialect === 'ossec') return (f ?? 0) + 1;
  return f === null || f < 2 ? 1 : f - 1;
}

/** The current event's values for a search's filter: same slots first, then different slots. */
const CURRENT: (string | undefined)[] = [];

/** Same-fields equal and different-fields unequal between the current event (CURRENT) and `rec`. */
function filtersPass(filter: RecordFilter, rec: CorrelationRecord): boolean {
  const same = filter.same;
  for (let j = 0; j < same.length; j++) {
    const b = rec.value(same[j]!);
    if (b === undefined || b !== CURRENT[j]) return false;
  }
  const different = filter.different;
  for (let j = 0; j < different.length; j++) {
    const b = rec.value(different[j]!);
    if (b === undefined || b === CURRENT[same.length + j]) return false;
  }
  return true;
}

/**
 * Reads the current event's filter values into CURRENT; false when one is unset, as then no
 * record passes the filter (and a search that counts none has no effect).
 */
function loadCurrent(filter: RecordFilter, layout: RecordLayout, ev: Event): boolean {
  const readers = layout.readers;
  const same = filter.same;
  for (let j = 0; j < same.length; j++) if ((CURRENT[j] = readers[same[j]!]!(ev)) === undefined) return false;
  const different = filter.different;
  for (let j = 0; j < different.length; j++) if ((CURRENT[same.length + j] = readers[different[j]!]!(ev)) === undefined) return false;
  return true;
}

/** Searches `list` for enough earlier qualifying records; marks them on success. */
function searchList(rule: Rule, filter: RecordFilter, ev: Event, list: RecordList, st: CorrelationMemory, regexOnLog: boolean): boolean {
  if (!loadCurrent(filter, st.tree.correlation, ev)) return false;
  const dialect = st.dialect;
  const want = needed(rule, dialect);
  const now = ev.time;
  let count = 0;
  let newestCounted: CorrelationRecord | null = null;
  let oldestCounted: CorrelationRecord | null = null;
  for (let i = list.length - 1; i >= 0; i--) {
    const e = list.at(i);
    if (now - e.time > rule.timeframe) break;
    if (dialect === 'ossec' && e.matched >= rule.level) return false;
    if (regexOnLog && (e.log === null || e.category !== ev.decoderCategory || !rule.ifMatchedRegex!.test(e.log))) continue;
    if (!filtersPass(filter, e)) continue;
    if (dialect === 'wazuh' && e.matched >= rule.level) return false;
    count++;
    newestCounted ??= e;
    oldestCounted = e;
    if (count >= want) {
      ev.matched = rule.level;
      newestCounted.matched = rule.level;
      if (dialect === 'ossec') {
        oldestCounted.matched = rule.level;
        if (list.length > 0) list.at(list.length - 1).matched = rule.level;
      }
      return true;
    }
  }
  return false;
}

/** The records a search must walk: one source's when the list keeps that index and the rule filters on it. */
function view(filter: RecordFilter, ev: Event, list: RecordList): RecordList {
  if (list.bySrcip === null || !filter.sameSrcip) return list;
  return list.ofSource(ev.srcip);
}

/** The if_matched_* test of a correlation rule, `filter` being its record filter. */
export function correlate(rule: Rule, filter: RecordFilter, ev: Event, st: CorrelationMemory): boolean {
  if (rule.ifMatchedSid !== null) {
    const target = st.tree.byId.get(rule.ifMatchedSid);
    const list = target?.sidPrevMatched;
    return list ? searchList(rule, filter, ev, view(filter, ev, list), st, false) : false;
  }
  if (rule.ownGroupList) return searchList(rule, filter, ev, view(filter, ev, rule.ownGroupList), st, false);
  if (rule.ifMatchedRegex) return searchList(rule, filter, ev, st.history, st, true);
  return true;
}

/** Correlation bookkeeping: sid list, else group lists; then the bounded global history. */
export function remember(rule: Rule, ev: Event, st: CorrelationMemory): CorrelationRecord {
  const rec = recordOf(st.tree.correlation, ev, rule);
  if (rule.sidPrevMatched) rule.sidPrevMatched.push(rec);
  else for (const l of rule.groupPrevMatched) l.push(rec);
  const h = st.history;
  h.push(rec);
  if (h.length > st.memorySize) {
    if (st.dialect === 'wazuh') evictWazuh(h.shift()!);
    else evictOssec(h, rec, st.tree.maxFrequency);
  }
  return rec;
}

function evictWazuh(old: CorrelationRecord): void {
  const rule = old.rule;
  if (!rule) return;
  if (rule.sidPrevMatched) rule.sidPrevMatched.remove(old);
  else for (const l of rule.groupPrevMatched) l.remove(old);
}

/** OSSEC 4.x: free the 10 oldest, then keep freeing while the oldest is over _max_freq seconds older. */
function evictOssec(h: RecordList, newest: CorrelationRecord, maxFreq: number): void {
  let freed = 0;
  while (h.length > 0 && (freed < 10 || newest.time - h.at(0).time > maxFreq)) {
    const old = h.shift()!;
    freed++;
    const rule = old.rule;
    if (!rule) continue;
    if (rule.sidPrevMatched) rule.sidPrevMatched.remove(old);
    else for (const l of rule.groupPrevMatched) l.removeOldest();
  }
}
