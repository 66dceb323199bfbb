// Rule tests that need more than a pattern: the log test with its character prefilter, CDB
// list lookups (spec §5.6), <time> and <weekday>.
import { RulesetError } from './errors.js';
import type { Event } from './event.js';
import { logMask } from './event.js';
import type { Dialect, Pattern } from './regex/pattern.js';
import { compileOsMatch } from './regex/pattern.js';
import type { XmlElement } from './xml.js';
import { attrCI } from './xml.js';

export type EventTest = (ev: Event) => boolean;

function err(el: XmlElement, code: RulesetError['code'], msg: string): RulesetError {
  return new RulesetError(code, msg, el.file, el.line, el.column);
}

/**
 * Per log test made by `logTest`, the characters (lowercased ASCII, 4 × 32 bits) every alternative
 * of its pattern needs: a log lacking one of them fails the test. The rule walk reads it to skip a
 * rule before calling any of its tests (evaluate.ts).
 */
const LOG_TEST_REQUIRED = new WeakMap<EventTest, Int32Array>();

/** The characters every alternative of log test `t` needs (all zero when none is known), or undefined when `t` is not a log test. */
export function logTestRequired(t: EventTest): Int32Array | undefined {
  return LOG_TEST_REQUIRED.get(t);
}

/** A test of `log` by pattern, skipped cheaply when the log lacks the characters every alternative needs. */
export function logTest(p: Pattern): EventTest {
  const masks = p.requiredChars();
  if (masks === null) return (ev) => p.test(ev.log);
  const flat = new Int32Array(masks.length * 4);
  masks.forEach((m, i) => flat.set(m, i * 4));
  const common = new Int32Array(4).fill(-1);
  for (let i = 0; i < flat.length; i++) common[i & 3]! &= flat[i]!;
  const test: EventTest = (ev) => {
    const mask = logMask(ev);
    const m0 = mask.m0;
    const m1 = mask.m1;
    const m2 = mask.m2;
    const m3 = mask.m3;
    for (let i = 0; i < flat.length; i += 4) {
      if ((flat[i]! & ~m0) === 0 && (flat[i + 1]! & ~m1) === 0 && (flat[i + 2]! & ~m2) === 0 && (flat[i + 3]! & ~m3) === 0)
        return p.test(ev.log);
    }
    return false;
  };
  if (masks.length === 0) common.fill(0);
  LOG_TEST_REQUIRED.set(test, common);
  return test;
}

/** CDB-style lists (`key:value` per line), keyed by the path as the config and rules write it. */
export type Lists = ReadonlyMap<string, ReadonlyMap<string, string>>;

export interface RuleParseContext {
  lists: Lists;
  /** Non-fatal findings (a list not provided, a compiled rule we cannot run). */
  warn: (el: XmlElement, msg: string) => void;
}

function findList(lists: Lists, path: string): ReadonlyMap<string, string> | undefined {
  const direct = lists.get(path);
  if (direct) return direct;
  const base = path.split('/').pop()!.replace(/\.cdb$/, '');
  for (const [k, v] of lists) if (k.split('/').pop()!.replace(/\.cdb$/, '') === base) return v;
  return undefined;
}

/** <list field lookup check_value> (spec §5.6). */
export function listTest(child: XmlElement, path: string, ctx: RuleParseContext, dialect: Dialect): EventTest {
  const field = attrCI(child, 'field')?.value ?? '';
  const lookup = attrCI(child, 'lookup')?.value ?? 'match_key';
  const checkValue = attrCI(child, 'check_value')?.value;
  const list = findList(ctx.lists, path.trim());
  if (!list) {
    ctx.warn(child, `list "${path.trim()}" was not provided; this rule can never match`);
    return () => false;
  }
  const valuePattern = checkValue !== undefined ? compileOsMatch(checkValue, { dialect }) : null;
  const get = (ev: Event): string | undefined => (field === 'user' ? (ev.srcuser ?? ev.dstuser) : ev.getField(field));
  const addressKeys = (ip: string): string[] => {
    const keys = [ip];
    for (let i = ip.lastIndexOf('.'); i > 0; i = ip.lastIndexOf('.', i - 1)) keys.push(ip.slice(0, i + 1));
    return keys;
  };
  switch (lookup) {
    case 'match_key':
      return (ev) => { const v = get(ev); return v !== undefined && list.has(v); };
    case 'not_match_key':
      return (ev) => { const v = get(ev); return v !== undefined && !list.has(v); };
    case 'match_key_value':
      return (ev) => {
        const v = get(ev);
        const val = v === undefined ? undefined : list.get(v);
        return val !== undefined && (valuePattern === null || valuePattern.test(val));
      };
    case 'address_match_key':
      return (ev) => { const v = get(ev); return v !== undefined && addressKeys(v).some((k) => list.has(k)); };
    case 'not_address_match_key':
      return (ev) => { const v = get(ev); return v !== undefined && !addressKeys(v).some((k) => list.has(k)); };
    case 'address_match_key_value':
      return (ev) => {
        const v = get(ev);
        if (v === undefined) return false;
        const k = addressKeys(v).find((x) => list.has(x));
        return k !== undefined && (valuePattern === null || valuePattern.test(list.get(k)!));
      };
    default:
      throw err(child, 'BAD_VALUE', `<list lookup="${lookup}"> is not a lookup (match_key, not_match_key, match_key_value, address_match_key, not_address_match_key, address_match_key_value)`);
  }
}

function parseClock(s: string): number | null {
  const m = /^\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*$/i.exec(s);
  if (!m) return null;
  let h = Number(m[1]);
  const min = m[2] ? Number(m[2]) : 0;
  const ampm = m[3]?.toLowerCase();
  if (ampm === 'pm' && h < 12) h += 12;
  if (ampm === 'am' && h === 12) h = 0;
  if (h > 24 || min > 59) return null;
  return h * 60 + min;
}

export function parseTime(el: XmlElement, text: string): EventTest {
  let t = text.trim();
  let negate = false;
  if (t.startsWith('!')) {
    negate = true;
    t = t.slice(1);
  }
  const [a, b] = t.split('-');
  const from = a === undefined ? null : parseClock(a);
  const to = b === undefined ? null : parseClock(b);
  if (from === null || to === null) throw err(el, 'BAD_VALUE', `<time> "${text}" is not "hh[:mm][am|pm] - hh[:mm][am|pm]"`);
  // As OSSEC's OS_IsonTime: a range includes its end minute; a reversed range (over midnight)
  // excludes both ends and ignores a leading `!`.
  return (ev) => {
    const d = new Date(ev.time * 1000);
    const now = d.getHours() * 60 + d.getMinutes();
    if (from > to) return now > from || now < to;
    return (now >= from && now <= to) !== negate;
  };
}

const DAYS: Record<string, number[]> = {
  sunday: [0], sun: [0], monday: [1], mon: [1], tuesday: [2], tue: [2], wednesday: [3], wed: [3],
  thursday: [4], thu: [4], friday: [5], fri: [5], saturday: [6], sat: [6],
  weekdays: [1, 2, 3, 4, 5], weekends: [0, 6],
};

export function parseWeekday(el: XmlElement, text: string): EventTest {
  let t = text.trim().toLowerCase();
  let negate = false;
  if (t.startsWith('!')) {
    negate = true;
    t = t.slice(1);
  }
  const days = new Set<number>();
  for (const w of t.split(/[\s,]+/).filter(Boolean)) {
    const d = DAYS[w];
    if (!d) throw err(el, 'BAD_VALUE', `<weekday>: "${w}" is not a day (monday … sunday, mon … sun, weekdays, weekends)`);
    for (const x of d) days.add(x);
  }
  return (ev) => days.has(new Date(ev.time * 1000).getDay()) !== negate;
}
