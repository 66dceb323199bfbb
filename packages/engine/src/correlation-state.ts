// Correlation state as plain data, so a server can keep it across a graceful restart: the alerted
// events the correlation rules search (global history, per-rule if_matched_sid lists, own
// if_matched_group lists), the ignore windows, fired counts, first-time-seen and <ignore> keys.
// Pure: the caller reads and writes the data; nothing here touches a file or a clock.
import { createHash } from 'node:crypto';
import type { EvalState } from './evaluate.js';
import { Event, STATIC_FIELDS } from './event.js';
import type { EventList } from './event-list.js';
import type { Dialect } from './regex/pattern.js';
import type { Rule } from './rules.js';
import type { RuleTree } from './rule-tree.js';

export const SNAPSHOT_VERSION = 1;

/** One alerted event, with what correlation reads of it (fields, time, log, mark). */
export interface SnapshotEvent {
  /** Time, seconds. */
  t: number;
  log: string;
  /** full_log when it differs from log. */
  full?: string;
  loc: string;
  host?: string;
  prog?: string;
  cat: string;
  /** Correlation mark (`matched`). */
  m: number;
  /** The rule it alerted as. */
  r: number;
  /** Static fields that are set. */
  s?: Record<string, string>;
  /** Dynamic fields in order. */
  d?: [string, string][];
}

/** One rule's state; lists hold indexes into `events`. */
export interface SnapshotRule {
  id: number;
  /** What identifies the rule's definition: sha256 of its source text (as hot reload compares it). */
  hash: string;
  timeIgnored: number;
  firedTimes: number;
  sid?: number[];
  own?: number[];
}

export interface CorrelationSnapshot {
  version: number;
  dialect: Dialect;
  events: SnapshotEvent[];
  /** The global history (memory_size), oldest first. */
  history: number[];
  rules: SnapshotRule[];
  fts: string[];
  ignored: string[];
}

export interface RestoreResult {
  /** Rules whose state was restored (same id, same definition). */
  kept: number;
  /** Rules in the snapshot left out: gone, or changed since. */
  dropped: number;
  /** Events put back in the history. */
  events: number;
}

/** Rule identity across compiles: the same id and the same source text. */
export function ruleDefinitionHash(rule: Pick<Rule, 'sourceText'>): string {
  return createHash('sha256').update(rule.sourceText).digest('hex').slice(0, 32);
}

export function takeSnapshot(st: EvalState): CorrelationSnapshot {
  const index = new Map<Event, number>();
  const events: SnapshotEvent[] = [];
  const ref = (ev: Event): number => {
    let i = index.get(ev);
    if (i === undefined) {
      i = events.length;
      index.set(ev, i);
      events.push(eventData(ev));
    }
    return i;
  };
  const history = st.history.map(ref);
  const rules: SnapshotRule[] = [];
  for (const rule of st.tree.all) {
    const sid = rule.sidPrevMatched?.items.length ? rule.sidPrevMatched.items.map(ref) : undefined;
    const own = rule.ownGroupList?.items.length ? rule.ownGroupList.items.map(ref) : undefined;
    if (!sid && !own && rule.timeIgnored === 0 && rule.firedTimes === 0) continue;
    rules.push({ id: rule.id, hash: ruleDefinitionHash(rule), timeIgnored: rule.timeIgnored, firedTimes: rule.firedTimes, ...(sid && { sid }), ...(own && { own }) });
  }
  return { version: SNAPSHOT_VERSION, dialect: st.dialect, events, history, rules, fts: [...st.fts], ignored: [...st.ignored] };
}

function eventData(ev: Event): SnapshotEvent {
  const out: SnapshotEvent = { t: ev.time, log: ev.log, loc: ev.location, cat: ev.decoderCategory, m: ev.matched, r: ev.rule?.id ?? ev.ruleId };
  if (ev.fullLog !== ev.log) out.full = ev.fullLog;
  if (ev.hostname !== null) out.host = ev.hostname;
  if (ev.programName !== null) out.prog = ev.programName;
  let s: Record<string, string> | undefined;
  for (const f of STATIC_FIELDS) {
    const v = ev[f];
    if (v !== undefined) (s ??= {})[f] = v;
  }
  if (s) out.s = s;
  if (ev.dynamic?.length) out.d = ev.dynamic.map(([k, v]) => [k, v]);
  return out;
}

function toEvent(e: SnapshotEvent): Event {
  const ev = new Event(e.full ?? e.log, e.log, e.loc, e.t);
  ev.hostname = e.host ?? null;
  ev.programName = e.prog ?? null;
  ev.decoderCategory = e.cat;
  ev.matched = e.m;
  ev.ruleId = e.r;
  if (e.s) for (const f of STATIC_FIELDS) if (e.s[f] !== undefined) ev[f] = e.s[f];
  if (e.d) ev.dynamic = e.d.map(([k, v]) => [k, v]);
  return ev;
}

/**
 * Puts a snapshot's state into a freshly started engine's state. State of a rule is taken only
 * when the rule has the same id and the same definition; events that alerted as a changed or
 * missing rule stay in the history (if_matched_regex searches it) but feed no rule's list.
 * A snapshot of another version or dialect restores nothing. Throws on malformed data.
 */
export function restoreSnapshot(st: EvalState, snap: CorrelationSnapshot): RestoreResult {
  if (snap.version !== SNAPSHOT_VERSION || snap.dialect !== st.dialect) return { kept: 0, dropped: snap.rules.length, events: 0 };
  const tree: RuleTree = st.tree;
  const same = new Map<number, Rule>();
  for (const r of snap.rules) {
    const rule = tree.byId.get(r.id);
    if (rule && ruleDefinitionHash(rule) === r.hash) same.set(r.id, rule);
  }
  const events = snap.events.map((e) => {
    const ev = toEvent(e);
    // Every rule that alerted has a fired count, so it is in `rules`: unchanged ones are in `same`.
    const rule = same.get(e.r);
    if (rule) ev.rule = rule;
    return ev;
  });
  const at = (i: number): Event => {
    const ev = events[i];
    if (!ev) throw new Error(`correlation snapshot: event index ${i} out of range (${events.length} events)`);
    return ev;
  };
  // Resolve every reference first: a malformed snapshot throws before anything is changed.
  const plans = snap.rules.flatMap((r) => {
    const rule = same.get(r.id);
    return rule ? [{ r, rule, sid: r.sid?.map(at), own: r.own?.map(at) }] : [];
  });
  const history = snap.history.map(at);
  const fill = (list: EventList | null, items: Event[] | undefined): void => {
    if (!list || !items) return;
    list.clear();
    for (const ev of items) list.push(ev);
  };
  for (const { r, rule, sid, own } of plans) {
    rule.timeIgnored = r.timeIgnored;
    rule.firedTimes = r.firedTimes;
    fill(rule.sidPrevMatched, sid);
    fill(rule.ownGroupList, own);
  }
  st.history = history.length > st.memorySize ? history.slice(history.length - st.memorySize) : history;
  st.fts = new Set(snap.fts);
  st.ignored = new Set(snap.ignored);
  return { kept: same.size, dropped: snap.rules.length - same.size, events: st.history.length };
}
