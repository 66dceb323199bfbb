// What correlation keeps of an alerted event: its time, its mark, the rule it alerted as and the few
// values the ruleset's same_* / different_* filters compare (plus the log, only when some rule has
// if_matched_regex). Alerted events are about half of all lines and stay in memory for thousands of
// events, so every byte kept is copied by the young-generation scavenges and then promoted: a record
// is a fraction of an Event. Which values a record holds is decided once per compiled ruleset.
import type { Dialect } from './regex/pattern.js';
import type { Event } from './event.js';
import type { Rule } from './rules.js';
import type { RuleTree } from './rule-tree.js';

/**
 * A whole-second time is kept as its offset from 2^30 s (2004), a small integer V8 stores in the
 * field itself up to 2038; a time in seconds since 1970 does not fit, and would be a separate heap
 * number (12 bytes more, one more object per record to copy). Any other time is kept as it is.
 */
const TIME_BASE = 2 ** 30;

/** Value slots a record holds in fields of its own (the rest, if any, in `more`): the OSSEC home's layout has 5. */
const INLINE = 6;

export class CorrelationRecord {
  /** The event time as stored (see TIME_BASE). */
  private readonly t: number;
  /** Correlation mark: the level of the rule whose fire consumed this event. */
  matched: number;
  /**
   * The rule it alerted as, whose lists it is dropped from on eviction; null once restored into a
   * ruleset where that rule changed (it then feeds no list, but stays in the history).
   */
  rule: Rule | null;
  /** Id of the rule it alerted as. */
  readonly ruleId: number;
  /** The log, for if_matched_regex (null when no rule of the ruleset has one). */
  readonly log: string | null;
  /** The decoder category (if_matched_regex compares it; '' when the log is not kept). */
  readonly category: string;
  // The layout's values by slot (undefined: the event had no such field): in fields, as an array
  // per record would cost as much as the record.
  private v0: string | undefined = undefined;
  private v1: string | undefined = undefined;
  private v2: string | undefined = undefined;
  private v3: string | undefined = undefined;
  private v4: string | undefined = undefined;
  private v5: string | undefined = undefined;
  private more: (string | undefined)[] | null = null;

  constructor(time: number, matched: number, rule: Rule | null, ruleId: number, values: readonly (string | undefined)[], log: string | null, category: string) {
    this.t = Number.isInteger(time) ? time - TIME_BASE : time;
    this.matched = matched;
    this.rule = rule;
    this.ruleId = ruleId;
    this.log = log;
    this.category = category;
    for (let i = 0; i < values.length; i++) this.setValue(i, values[i]);
  }

  /** Event time, seconds. */
  get time(): number {
    const t = this.t;
    return Number.isInteger(t) ? t + TIME_BASE : t;
  }

  /** The value in layout slot `slot`. */
  value(slot: number): string | undefined {
    switch (slot) {
      case 0:
        return this.v0;
      case 1:
        return this.v1;
      case 2:
        return this.v2;
      case 3:
        return this.v3;
      case 4:
        return this.v4;
      case 5:
        return this.v5;
      default:
        return this.more === null ? undefined : this.more[slot - INLINE];
    }
  }

  /** Sets a value; only while the record is made (records are shared by lists, and read as made). */
  setValue(slot: number, v: string | undefined): void {
    switch (slot) {
      case 0:
        this.v0 = v;
        return;
      case 1:
        this.v1 = v;
        return;
      case 2:
        this.v2 = v;
        return;
      case 3:
        this.v3 = v;
        return;
      case 4:
        this.v4 = v;
        return;
      case 5:
        this.v5 = v;
        return;
      default:
        (this.more ??= [])[slot - INLINE] = v;
    }
  }
}

type Reader = (ev: Event) => string | undefined;

/**
 * The values records keep, one slot per key. Keys name what a filter reads: a field name as
 * Event.getField takes it ('srcip', 'dstuser', 'location', …), 'hostname' (OSSEC's same_location),
 * or 'dyn:<name>' (same_field / different_field, dynamic fields only).
 */
export interface RecordLayout {
  readonly keys: readonly string[];
  readonly readers: readonly Reader[];
  /** Some rule has if_matched_regex, so records keep the log and its decoder category. */
  readonly keepLog: boolean;
  /** Slot of 'srcip' (the per-source index of Wazuh lists keys by it), or -1. */
  readonly srcipSlot: number;
  /** Each correlation rule's filters as slots. */
  readonly filters: ReadonlyMap<Rule, RecordFilter>;
}

/** A rule's same_* / different_* filters as layout slots, in the order it applies them. */
export interface RecordFilter {
  readonly same: readonly number[];
  readonly different: readonly number[];
  /** The rule compares srcip (same_source_ip): a list's per-source index may serve its search. */
  readonly sameSrcip: boolean;
}

const NO_FILTER: RecordFilter = { same: [], different: [], sameSrcip: false };
const NO_VALUES: readonly (string | undefined)[] = [];

/** The key a `same_*` field reads under a dialect: OSSEC 4.2 compares the hostname for same_location. */
function sameKey(f: string, dialect: Dialect): string {
  return f === 'location' && dialect === 'ossec' ? 'hostname' : f;
}

/** The `different_*` fields a dialect checks: OSSEC 4.2 checks only different_url. */
function differentChecked(f: string, dialect: Dialect): boolean {
  return dialect !== 'ossec' || f === 'url';
}

const STATIC_READERS: Record<string, Reader> = {
  srcip: (ev) => ev.srcip,
  dstip: (ev) => ev.dstip,
  srcport: (ev) => ev.srcport,
  dstport: (ev) => ev.dstport,
  id: (ev) => ev.id,
  url: (ev) => ev.url,
  srcuser: (ev) => ev.srcuser,
  dstuser: (ev) => ev.dstuser,
  hostname: (ev) => ev.hostname ?? undefined,
  location: (ev) => ev.location,
};

function readerOf(key: string): Reader {
  if (key.startsWith('dyn:')) {
    const name = key.slice(4);
    return (ev) => ev.getDynamic(name);
  }
  return STATIC_READERS[key] ?? ((ev) => ev.getField(key));
}

/** Every key a rule's filters read, in order. */
function ruleKeys(rule: Rule, dialect: Dialect): { same: string[]; different: string[] } {
  return {
    same: rule.sameFields.map((f) => sameKey(f, dialect)),
    different: rule.differentFields.filter((f) => differentChecked(f, dialect)),
  };
}

function correlates(rule: Rule): boolean {
  return rule.ifMatchedSid !== null || rule.ifMatchedGroup !== null || rule.ifMatchedRegex !== null;
}

/** The layout of a compiled ruleset's records: the keys its correlation rules read, nothing else. */
export function recordLayout(rules: readonly Rule[], dialect: Dialect): RecordLayout {
  const slots = new Map<string, number>();
  const slot = (k: string): number => {
    let s = slots.get(k);
    if (s === undefined) slots.set(k, (s = slots.size));
    return s;
  };
  const filters = new Map<Rule, RecordFilter>();
  let keepLog = false;
  for (const rule of rules) {
    if (!correlates(rule)) continue;
    if (rule.ifMatchedRegex !== null) keepLog = true;
    const k = ruleKeys(rule, dialect);
    filters.set(rule, { same: k.same.map(slot), different: k.different.map(slot), sameSrcip: rule.sameFields.includes('srcip') });
  }
  const keys = [...slots.keys()];
  return { keys, readers: keys.map(readerOf), keepLog, srcipSlot: slots.get('srcip') ?? -1, filters };
}

/** Computes the tree's record layout and gives its per-source lists the slot they index by. */
export function attachLayout(tree: RuleTree, dialect: Dialect): void {
  const layout = recordLayout(tree.all, dialect);
  tree.correlation = layout;
  for (const r of tree.all) {
    if (r.sidPrevMatched?.bySrcip) r.sidPrevMatched.indexSlot = layout.srcipSlot;
    if (r.ownGroupList?.bySrcip) r.ownGroupList.indexSlot = layout.srcipSlot;
  }
}

export function filterOf(layout: RecordLayout, rule: Rule): RecordFilter {
  return layout.filters.get(rule) ?? NO_FILTER;
}

/**
 * Values records keep, one copy each where it is cheap to find: an attacker's address or a user
 * name recurs in thousands of records, and each copy would be carried through the scavenges into
 * the old generation. A direct-mapped table (a slot per hash of the first 32 characters, the last
 * value seen there kept): no growth and no allocation, and values that never recur (source ports)
 * cost a hash and a compare. Shared by every engine, as the strings are only values.
 */
const INTERN_BITS = 12;
const INTERNED: (string | undefined)[] = new Array<string | undefined>(1 << INTERN_BITS).fill(undefined);

function intern(s: string | undefined): string | undefined {
  if (s === undefined) return s;
  const n = s.length < 32 ? s.length : 32;
  let h = s.length;
  for (let i = 0; i < n; i++) h = Math.imul(h, 31) + s.charCodeAt(i);
  const slot = (h ^ (h >>> INTERN_BITS) ^ (h >>> 24)) & ((1 << INTERN_BITS) - 1);
  const hit = INTERNED[slot];
  if (hit === s) return hit;
  INTERNED[slot] = s;
  return s;
}

/** The record kept for `ev`, alerted as `rule`. */
export function recordOf(layout: RecordLayout, ev: Event, rule: Rule): CorrelationRecord {
  const readers = layout.readers;
  const rec = new CorrelationRecord(ev.time, ev.matched, rule, rule.id, NO_VALUES, layout.keepLog ? ev.log : null, layout.keepLog ? ev.decoderCategory : '');
  for (let i = 0; i < readers.length; i++) rec.setValue(i, intern(readers[i]!(ev)));
  return rec;
}

/** A record's values keyed by name (unset ones left out), as snapshots write them. */
export function recordFields(layout: RecordLayout, rec: CorrelationRecord): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  const keys = layout.keys;
  for (let i = 0; i < keys.length; i++) {
    const v = rec.value(i);
    if (v !== undefined) (out ??= {})[keys[i]!] = v;
  }
  return out;
}

/** Values keyed by name put in `layout`'s slots (keys it does not have are dropped). */
export function valuesFor(layout: RecordLayout, fields: Readonly<Record<string, string>> | undefined): (string | undefined)[] {
  if (layout.keys.length === 0) return [];
  return layout.keys.map((k) => (fields && Object.hasOwn(fields, k) ? fields[k] : undefined));
}

/** The layout of a tree not yet laid out (replaced by attachLayout). */
export const EMPTY_LAYOUT: RecordLayout = { keys: [], readers: [], keepLog: false, srcipSlot: -1, filters: new Map() };
