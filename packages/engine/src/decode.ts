// Decoding an event with a loaded decoder set (spec §3.2, §11.1): pick the top-level decoder
// (program-name list or not), the first matching child, then run its sibling chain's regexes.
import type { Decoder, DecoderSet } from './decoders.js';
import { STATIC_ORDER } from './decoders.js';
import type { DecoderRef, Event } from './event.js';

/** Per-program-name cache of candidate top-level decoders (the program_name test is pure). */
export class DecoderIndex {
  private readonly cache = new Map<string, Decoder[]>();

  constructor(readonly set: DecoderSet) {}

  candidates(programName: string): Decoder[] {
    let list = this.cache.get(programName);
    if (list === undefined) {
      list = this.set.withProgram.filter((d) => d.programName === null || d.programName.test(programName));
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(programName, list);
    }
    return list;
  }
}

export function decode(ev: Event, index: DecoderIndex): void {
  const list = ev.programName !== null ? index.candidates(ev.programName) : index.set.withoutProgram;
  const log = ev.log;
  for (const top of list) {
    let parentEnd = 0;
    if (top.prematch) {
      parentEnd = top.prematch.execEnd(log);
      if (parentEnd < 0) continue;
    }
    ev.decoder = refOf(top, null);
    ev.decoderCategory = top.category;
    ev.fts = top.fts;
    if (top.children.length === 0) {
      runChain(ev, top, log, parentEnd, parentEnd);
      return;
    }
    for (const child of top.children) {
      let prematchEnd = parentEnd;
      if (child.prematch) {
        const base = child.prematchAfterParent ? parentEnd : 0;
        const end = child.prematch.execEnd(base === 0 ? log : log.slice(base));
        if (end < 0) continue;
        prematchEnd = base + end;
      }
      const ref = refOf(child, top);
      ev.decoder = ref;
      ev.decoderCategory = ref.category;
      ev.fts = child.fts;
      runChain(ev, child, log, parentEnd, prematchEnd);
      return;
    }
    return;
  }
}

function refOf(d: Decoder, top: Decoder | null): DecoderRef {
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

function runChain(ev: Event, first: Decoder, log: string, parentEnd: number, prematchEnd: number): void {
  let regexEnd = prematchEnd;
  for (let d: Decoder | null = first; d; d = d.next) {
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
    const end = d.regex.execInto(base === 0 ? log : log.slice(base), CAPTURES);
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
