// Decoding an event with a loaded decoder set (spec §3.2, §11.1): pick the top-level decoder
// (program-name list or not), the first matching child, then run its sibling chain's regexes.
import type { Decoder, DecoderSet } from './decoders.js';
import { STATIC_ORDER } from './decoders.js';
import type { DecoderRef, Event } from './event.js';
import type { Pattern } from './regex/pattern.js';
import { logMask } from './event.js';

/**
 * A decoder as `decode` tries it: the characters its prematch needs (per alternative, 4 words of
 * lowercased ASCII each; null when nothing is known), so a log lacking them is passed over without
 * running the pattern, and for a top-level decoder its children the same way. Its sibling chain
 * (the decoder, then each `next`) as steps whose regex carries its own first-character check.
 */
interface Plan {
  readonly d: Decoder;
  readonly needs: Int32Array | null;
  /** The characters the prematch's subject can start with (see firstOf); undefined until first asked. */
  first: Int32Array | undefined;
  /** What events it decodes report (refOf under the plan's parent), once known. */
  ref: DecoderRef | undefined;
  readonly children: Plan[];
  readonly chain: Step[];
}

/** A decoder of a sibling chain, with its regex's first characters (undefined until first asked). */
interface Step {
  readonly d: Decoder;
  first: Int32Array | undefined;
}

function planOf(d: Decoder, withChildren: boolean): Plan {
  const masks = d.prematch?.requiredChars() ?? null;
  let needs: Int32Array | null = null;
  if (masks !== null && masks.length > 0) {
    needs = new Int32Array(masks.length * 4);
    masks.forEach((m, i) => needs!.set(m, i * 4));
  }
  const chain: Step[] = [];
  for (let c: Decoder | null = d; c !== null; c = c.next) chain.push({ d: c, first: undefined });
  return { d, needs, first: undefined, ref: undefined, children: withChildren ? d.children.map((c) => planOf(c, false)) : [], chain };
}

/** firstOf's answer when a subject may start with anything. */
const ANY_FIRST = new Int32Array(0);

/**
 * The characters a subject must start with for `p` to match, as a 128-bit ASCII mask (both cases
 * when the pattern is caseless), or ANY_FIRST when any may (or one is not ASCII). Asked for only
 * when the pattern is about to run: a pattern of a restored snapshot is compiled on first use.
 */
function firstOf(p: Pattern): Int32Array {
  const set = p.firstChars();
  if (set === null) return ANY_FIRST;
  const m = new Int32Array(4);
  for (const ch of set) {
    const c = ch.charCodeAt(0);
    if (ch.length !== 1 || c >= 128) return ANY_FIRST;
    m[c >> 5]! |= 1 << (c & 31);
  }
  return m;
}

/** False when `s` from `at` cannot start a match (its first character is not in `first`, or it is empty). */
function mayStart(first: Int32Array, s: string, at: number): boolean {
  if (first === ANY_FIRST) return true;
  const c = s.charCodeAt(at); // NaN past the end: no match can start there
  return c < 128 && (first[c >> 5]! & (1 << (c & 31))) !== 0;
}

/** False when the log lacks a character every alternative of the decoder's prematch needs. */
function mayPrematch(plan: Plan, ev: Event): boolean {
  const needs = plan.needs;
  if (needs === null) return true;
    const mask = logMask(ev);
    const m0 = mask.m0;
    const m1 = mask.m1;
    const m2 = mask.m2;
    const m3 = mask.m3;
  for (let i = 0; i < needs.length; i += 4)
    if (((needs[i]! & ~m0) | (needs[i + 1]! & ~m1) | (needs[i + 2]! & ~m2) | (needs[i + 3]! & ~m3)) === 0) return true;
  return false;
}

/** A program name as DecoderIndex keeps it: its one copy of the name and its candidate decoders. */
interface ProgramEntry {
  readonly name: string;
  readonly list: Plan[];
}

/** The decoder set as plans, with a per-program-name cache of candidate top-level decoders (the program_name test is pure). */
export class DecoderIndex {
  private readonly cache = new Map<string, ProgramEntry>();
  private readonly plans = new Map<Decoder, Plan>();
  readonly withoutProgram: Plan[];

  constructor(readonly set: DecoderSet) {
    this.withoutProgram = set.withoutProgram.map((d) => this.plan(d));
  }

  private plan(d: Decoder): Plan {
    let p = this.plans.get(d);
    if (p === undefined) {
      p = planOf(d, true);
      this.plans.set(d, p);
    }
    return p;
  }

  candidates(programName: string): Plan[] {
    return this.entry(programName).list;
  }

  entry(programName: string): ProgramEntry {
    let e = this.cache.get(programName);
    if (e === undefined) {
      const list = this.set.withProgram.filter((d) => d.programName === null || d.programName.test(programName)).map((d) => this.plan(d));
      if (this.cache.size > 10_000) this.cache.clear();
      e = { name: programName, list };
      this.cache.set(programName, e);
    }
    return e;
  }
}

/**
 * Decodes `ev`. Its program name is replaced by the equal string the index keeps: each line's own
 * copy is new, and the rule walk's children index, keyed by program name, then finds it by one
 * pointer compare with its hash already known instead of hashing and comparing characters.
 */
export function decode(ev: Event, index: DecoderIndex): void {
  let list = index.withoutProgram;
  if (ev.programName !== null) {
    const e = index.entry(ev.programName);
    ev.programName = e.name;
    list = e.list;
  }
  const log = ev.log;
  for (let t = 0; t < list.length; t++) {
    const topPlan = list[t]!;
    const top = topPlan.d;
    let parentEnd = 0;
    if (top.prematch) {
      if (!mayPrematch(topPlan, ev)) continue;
      if (!mayStart(topPlan.first ??= firstOf(top.prematch), log, 0)) continue;
      parentEnd = top.prematch.execEnd(log);
      if (parentEnd < 0) continue;
    }
    ev.decoder = topPlan.ref ??= refOf(top, null);
    ev.decoderCategory = top.category;
    ev.fts = top.fts;
    if (top.children.length === 0) {
      runChain(ev, topPlan.chain, log, parentEnd, parentEnd);
      return;
    }
    const children = topPlan.children;
    for (let c = 0; c < children.length; c++) {
      const childPlan = children[c]!;
      const child = childPlan.d;
      let prematchEnd = parentEnd;
      if (child.prematch) {
        if (!mayPrematch(childPlan, ev)) continue;
        const base = child.prematchAfterParent ? parentEnd : 0;
        if (!mayStart(childPlan.first ??= firstOf(child.prematch), log, base)) continue;
        const end = child.prematch.execEnd(base === 0 ? log : log.slice(base));
        if (end < 0) continue;
        prematchEnd = base + end;
      }
      const ref = (childPlan.ref ??= refOf(child, top)); // a child plan belongs to one top-level plan
      ev.decoder = ref;
      ev.decoderCategory = ref.category;
      ev.fts = child.fts;
      runChain(ev, childPlan.chain, log, parentEnd, prematchEnd);
      return;
    }
    return;
  }
}

/** What events decoded by `d` (a child of `top`, or top-level when null) report: one object per pair. */
export function refOf(d: Decoder, top: Decoder | null): DecoderRef {
  d.refs ??= new Map();
  let ref = d.refs.get(top);
  if (!ref) {
    const category = top === null || d.categoryExplicit ? d.category : top.category;
    ref = { name: d.reportName, parent: top ? top.name : null, category };
    d.refs.set(top, ref);
  }
  return ref;
}

/** Scratch for a decoder regex's captures (one event is decoded at a time). */
const CAPTURES: string[] = [];

function runChain(ev: Event, chain: Step[], log: string, parentEnd: number, prematchEnd: number): void {
  let regexEnd = prematchEnd;
  for (let k = 0; k < chain.length; k++) {
    const step = chain[k]!;
    const d = step.d;
    if (d.plugin) {
      runPlugin(ev, d, d.pluginAfterParent ? log.slice(parentEnd) : log);
      continue;
    }
    if (!d.regex) continue;
    let base: number;
    switch (d.regexOffset) {
      case 'after_parent':
        base = parentEnd;
        break;
      case 'after_prematch':
        base = prematchEnd; // the chosen child's prematch, for every sibling in its chain
        break;
      case 'after_regex':
        base = regexEnd;
        break;
      default:
        base = 0;
    }
    const end = mayStart(step.first ??= firstOf(d.regex), log, base) ? d.regex.execInto(base === 0 ? log : log.slice(base), CAPTURES) : -1;
    if (end < 0) {
      if (d.next === null) return;
      continue;
    }
    regexEnd = base + end;
    const n = Math.min(CAPTURES.length, d.order.length);
    for (let i = 0; i < n; i++) {
      const slot = d.order[i]!;
      ev.setField(slot.label, CAPTURES[i]!, slot.isStatic);
    }
  }
}

// The JSON decoder fills the same static fields as <order>, plus Wazuh's `systemname` spelling.
const JSON_STATIC: Record<string, string> = { ...STATIC_ORDER, systemname: 'system_name' };

function runPlugin(ev: Event, d: Decoder, text: string): void {
  if (d.plugin !== 'JSON_Decoder') return;
  const start = text.indexOf('{');
  if (start < 0) return;
  let obj: unknown;
  try {
    obj = JSON.parse(text.slice(start));
  } catch {
    return;
  }
  const walk = (v: unknown, prefix: string): void => {
    if (v === null) return;
    if (Array.isArray(v)) {
      ev.setField(prefix, v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(','), false);
      return;
    }
    if (typeof v === 'object') {
      for (const [k, val] of Object.entries(v as Record<string, unknown>)) walk(val, prefix ? `${prefix}.${k}` : k);
      return;
    }
    const s = String(v);
    const st = JSON_STATIC[prefix];
    if (st) ev.setField(st, s, true);
    else ev.setField(prefix, s, false);
  };
  walk(obj, '');
}
