// Correlation state as plain data, so a server can keep it across a graceful restart: the records
// of alerted events the correlation rules search (global history, per-rule if_matched_sid lists, own
// if_matched_group lists), the ignore windows, fired counts, first-time-seen and <ignore> keys.
// Pure: the caller reads and writes the data; nothing here touches a file or a clock.
import type * as NodeCrypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { RecordLayout } from './correlation-record.js';
import { CorrelationRecord, recordFields, valuesFor } from './correlation-record.js';
import type { EvalState } from './evaluate.js';
import { Event, STATIC_FIELDS } from './event.js';
import { RecordList } from './record-list.js';
import type { Dialect } from './regex/pattern.js';
import type { Rule } from './rules.js';
import type { RuleTree } from './rule-tree.js';

/** Version 2: records (what correlation reads of an alerted event); version 1 held whole events. */
export const SNAPSHOT_VERSION = 2;

/** One remembered alerted event, as correlation keeps it. */
export interface SnapshotRecord {
  /** Time, seconds. */
  t: number;
  /** Correlation mark (`matched`). */
  m: number;
  /** The rule it alerted as. */
  r: number;
  /** The values the ruleset's filters compare, by record key ('srcip', 'hostname', 'dyn:name', …), set ones only. */
  f?: Record<string, string>;
  /** Log and decoder category, when some rule has if_matched_regex. */
  log?: string;
  cat?: string;
}

/** One alerted event of a version-1 snapshot (still read: its records are made from it). */
export interface SnapshotEvent {
  t: number;
  log: string;
  full?: string;
  loc: string;
  host?: string;
  prog?: string;
  cat: string;
  m: number;
  r: number;
  s?: Record<string, string>;
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
  /** Records (version 2) or whole events (version 1). */
  events: SnapshotRecord[] | SnapshotEvent[];
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

// node:crypto is loaded on first use: only a server keeping its state needs it, and loading it
// (with the stream modules it pulls in) was ~10% of a CLI command's start-up.
let crypto: typeof NodeCrypto | undefined;

/** Rule identity across compiles: the same id and the same source text. */
export function ruleDefinitionHash(rule: Pick<Rule, 'sourceText'>): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof NodeCrypto;
  return crypto.createHash('sha256').update(rule.sourceText).digest('hex').slice(0, 32);
}

export function takeSnapshot(st: EvalState): CorrelationSnapshot {
  const layout = st.tree.correlation;
  const index = new Map<CorrelationRecord, number>();
  const events: SnapshotRecord[] = [];
  const ref = (rec: CorrelationRecord): number => {
    let i = index.get(rec);
    if (i === undefined) {
      i = events.length;
      index.set(rec, i);
      events.push(recordData(layout, rec));
    }
    return i;
  };
  const history = st.history.toArray().map(ref);
  const rules: SnapshotRule[] = [];
  for (const rule of st.tree.all) {
    const sid = rule.sidPrevMatched?.length ? rule.sidPrevMatched.toArray().map(ref) : undefined;
    const own = rule.ownGroupList?.length ? rule.ownGroupList.toArray().map(ref) : undefined;
    if (!sid && !own && rule.timeIgnored === 0 && rule.firedTimes === 0) continue;
    rules.push({ id: rule.id, hash: ruleDefinitionHash(rule), timeIgnored: rule.timeIgnored, firedTimes: rule.firedTimes, ...(sid && { sid }), ...(own && { own }) });
  }
  return { version: SNAPSHOT_VERSION, dialect: st.dialect, events, history, rules, fts: [...st.fts], ignored: [...st.ignored] };
}

function recordData(layout: RecordLayout, rec: CorrelationRecord): SnapshotRecord {
  const out: SnapshotRecord = { t: rec.time, m: rec.matched, r: rec.rule?.id ?? rec.ruleId };
  const f = recordFields(layout, rec);
  if (f) out.f = f;
  if (rec.log !== null) {
    out.log = rec.log;
    out.cat = rec.category;
  }
  return out;
}

/** A record in `layout` from a snapshot's record (version 2) or whole event (version 1). */
function toRecord(layout: RecordLayout, e: SnapshotRecord | SnapshotEvent, version: number, rule: Rule | null): CorrelationRecord {
  if (version === 1) {
    const v1 = e as SnapshotEvent;
    const ev = new Event(v1.full ?? v1.log, v1.log, v1.loc, v1.t);
    ev.hostname = v1.host ?? null;
    ev.programName = v1.prog ?? null;
    ev.decoderCategory = v1.cat;
    ev.matched = v1.m;
    if (v1.s) for (const f of STATIC_FIELDS) if (v1.s[f] !== undefined) ev[f] = v1.s[f];
    if (v1.d) ev.dynamic = v1.d.map(([k, v]) => [k, v]);
    return new CorrelationRecord(v1.t, v1.m, rule, v1.r, layout.readers.map((read) => read(ev)), layout.keepLog ? v1.log : null, layout.keepLog ? v1.cat : '');
  }
  const r = e as SnapshotRecord;
  const log = layout.keepLog && r.log !== undefined ? r.log : null;
  return new CorrelationRecord(r.t, r.m, rule, r.r, valuesFor(layout, r.f), log, log === null ? '' : (r.cat ?? ''));
}

/**
 * Puts a snapshot's state into a freshly started engine's state. State of a rule is taken only
 * when the rule has the same id and the same definition; records of events that alerted as a
 * changed or missing rule stay in the history (if_matched_regex searches it) but feed no rule's
 * list. Records keep the values this ruleset's filters compare, as far as the snapshot has them
 * (a version-1 snapshot has every field). A snapshot of another dialect, or of a version this
 * engine does not know, restores nothing. Throws on malformed data.
 */
export function restoreSnapshot(st: EvalState, snap: CorrelationSnapshot): RestoreResult {
  const version = snap.version;
  if ((version !== 1 && version !== SNAPSHOT_VERSION) || snap.dialect !== st.dialect) return { kept: 0, dropped: snap.rules.length, events: 0 };
  const tree: RuleTree = st.tree;
  const same = new Map<number, Rule>();
  for (const r of snap.rules) {
    const rule = tree.byId.get(r.id);
    if (rule && ruleDefinitionHash(rule) === r.hash) same.set(r.id, rule);
  }
  // Every rule that alerted has a fired count, so it is in `rules`: unchanged ones are in `same`.
  const records = snap.events.map((e) => toRecord(tree.correlation, e, version, same.get(e.r) ?? null));
  const at = (i: number): CorrelationRecord => {
    const rec = records[i];
    if (!rec) throw new Error(`correlation snapshot: event index ${i} out of range (${records.length} events)`);
    return rec;
  };
  // Resolve every reference first: a malformed snapshot throws before anything is changed.
  const plans = snap.rules.flatMap((r) => {
    const rule = same.get(r.id);
    return rule ? [{ r, rule, sid: r.sid?.map(at), own: r.own?.map(at) }] : [];
  });
  const history = snap.history.map(at);
  const fill = (list: RecordList | null, items: CorrelationRecord[] | undefined): void => {
    if (!list || !items) return;
    list.clear();
    for (const rec of items) list.push(rec);
  };
  for (const { r, rule, sid, own } of plans) {
    rule.timeIgnored = r.timeIgnored;
    rule.firedTimes = r.firedTimes;
    fill(rule.sidPrevMatched, sid);
    fill(rule.ownGroupList, own);
  }
  const h = new RecordList(Number.MAX_SAFE_INTEGER);
  for (const rec of history.length > st.memorySize ? history.slice(history.length - st.memorySize) : history) h.push(rec);
  st.history = h;
  st.fts = new Set(snap.fts);
  st.ignored = new Set(snap.ignored);
  return { kept: same.size, dropped: snap.rules.length - same.size, events: h.length };
}

/**
 * Moves correlation state from an older engine's state (hot reload) into a new one's: the records,
 * and the lists, windows and counts of rules that are unchanged (same id, same source text). The
 * records are copies in the new ruleset's layout, so the older engine's are left as they were; a
 * value the new ruleset compares but the older one did not keep is unset in them. Returns how many
 * rules kept their state.
 */
export function adoptCorrelation(from: EvalState, to: EvalState): number {
  const layout = to.tree.correlation;
  const old = from.tree.correlation;
  const oldSlot = new Map(old.keys.map((k, i) => [k, i]));
  const sameKeys = layout.keys.length === old.keys.length && layout.keys.every((k, i) => old.keys[i] === k);
  const moved = new Map<Rule, Rule>();
  for (const rule of to.tree.all) {
    const prev = from.tree.byId.get(rule.id);
    if (prev && prev.sourceText === rule.sourceText) moved.set(prev, rule);
  }
  const copies = new Map<CorrelationRecord, CorrelationRecord>();
  const carry = (rec: CorrelationRecord): CorrelationRecord => {
    let c = copies.get(rec);
    if (c === undefined) {
      const values = layout.keys.map((k, slot) => {
        const i = sameKeys ? slot : oldSlot.get(k);
        return i === undefined ? undefined : rec.value(i);
      });
      const log = layout.keepLog ? rec.log : null;
      // A changed rule's records keep pointing at the old rule, whose lists nobody searches any more.
      const rule = rec.rule && (moved.get(rec.rule) ?? rec.rule);
      c = new CorrelationRecord(rec.time, rec.matched, rule, rec.ruleId, values, log, log === null ? '' : rec.category);
      copies.set(rec, c);
    }
    return c;
  };
  const fill = (list: RecordList | null, src: RecordList | null): void => {
    if (!list || !src) return;
    list.clear();
    for (const rec of src.toArray()) list.push(carry(rec));
  };
  for (const [prev, rule] of moved) {
    fill(rule.sidPrevMatched, prev.sidPrevMatched);
    fill(rule.ownGroupList, prev.ownGroupList);
    rule.timeIgnored = prev.timeIgnored;
    rule.firedTimes = prev.firedTimes;
  }
  const h = new RecordList(Number.MAX_SAFE_INTEGER);
  for (const rec of from.history.toArray()) h.push(carry(rec));
  to.history = h;
  to.fts = from.fts;
  to.ignored = from.ignored;
  return moved.size;
}
