// Static check for patterns that V8's backtracking engine could take super-linear time on.
// A pattern that passes runs on V8 (fast); one that fails runs on RE2 (linear, ~25x slower per
// call). Lines are cut at 6135 bytes, so quadratic worst cases stay bounded (tens of ms);
// what we route away are nested quantifiers and chains of three or more quantifiers that can
// trade characters with each other, which are cubic or exponential.
//
// The input is JavaScript regex source as produced by our translators (a known subset).

type CharSet = { lo: number[]; high: boolean }; // lo: 128 ASCII bits in 4 words

const ALL = (): CharSet => ({ lo: [~0, ~0, ~0, ~0], high: true });
const NONE = (): CharSet => ({ lo: [0, 0, 0, 0], high: false });

function addRange(s: CharSet, a: number, b: number): void {
  for (let c = a; c <= b && c < 128; c++) s.lo[c >> 5]! |= 1 << (c & 31);
  if (b >= 128) s.high = true;
}
function invert(s: CharSet): CharSet {
  return { lo: s.lo.map((w) => ~w), high: true };
}
function union(a: CharSet, b: CharSet): CharSet {
  return { lo: a.lo.map((w, i) => w | b.lo[i]!), high: a.high || b.high };
}
function intersects(a: CharSet, b: CharSet): boolean {
  return a.lo.some((w, i) => (w & b.lo[i]!) !== 0) || (a.high && b.high);
}
function subset(a: CharSet, b: CharSet): boolean {
  return a.lo.every((w, i) => (w & ~b.lo[i]!) === 0) && (!a.high || b.high);
}

function escapeClass(ch: string): CharSet {
  const s = NONE();
  switch (ch) {
    case 'd': addRange(s, 48, 57); return s;
    case 'D': addRange(s, 48, 57); return invert(s);
    case 'w': addRange(s, 48, 57); addRange(s, 65, 90); addRange(s, 97, 122); addRange(s, 95, 95); return s;
    case 'W': return invert(escapeClass('w'));
    case 's': addRange(s, 9, 13); addRange(s, 32, 32); s.high = true; return s;
    case 'S': return invert(escapeClass('s'));
    case 't': addRange(s, 9, 9); return s;
    case 'n': addRange(s, 10, 10); return s;
    case 'r': addRange(s, 13, 13); return s;
    case 'v': addRange(s, 11, 11); return s;
    case 'f': addRange(s, 12, 12); return s;
    default: {
      const c = ch.charCodeAt(0);
      addRange(s, c, c);
      // case-insensitive: both cases
      if (/[a-z]/i.test(ch)) { addRange(s, ch.toLowerCase().charCodeAt(0), ch.toLowerCase().charCodeAt(0)); addRange(s, ch.toUpperCase().charCodeAt(0), ch.toUpperCase().charCodeAt(0)); }
      return s;
    }
  }
}

interface Item {
  set: CharSet | null; // null for groups
  group: Alt | null;
  min: number;
  max: number;
  zeroWidth: boolean;
}
type Seq = Item[];
type Alt = Seq[];

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  parseAlt(): Alt {
    const alts: Alt = [this.parseSeq()];
    while (this.s[this.i] === '|') {
      this.i++;
      alts.push(this.parseSeq());
    }
    return alts;
  }

  parseSeq(): Seq {
    const seq: Seq = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      const item = this.parseAtom();
      this.parseQuant(item);
      seq.push(item);
    }
    return seq;
  }

  parseAtom(): Item {
    const s = this.s;
    const ch = s[this.i++]!;
    const item: Item = { set: null, group: null, min: 1, max: 1, zeroWidth: false };
    if (ch === '(') {
      let lookaround = false;
      if (s[this.i] === '?') {
        if (s[this.i + 1] === ':') this.i += 2;
        else if (s[this.i + 1] === '=' || s[this.i + 1] === '!') { this.i += 2; lookaround = true; }
        else if (s[this.i + 1] === '<' && (s[this.i + 2] === '=' || s[this.i + 2] === '!')) { this.i += 3; lookaround = true; }
        else if (s[this.i + 1] === '<') { this.i = s.indexOf('>', this.i) + 1; }
      }
      item.group = this.parseAlt();
      this.i++; // ')'
      item.zeroWidth = lookaround;
      return item;
    }
    if (ch === '^' || ch === '$') { item.zeroWidth = true; return item; }
    if (ch === '.') { const a = ALL(); a.lo[0]! &= ~(1 << 10); item.set = a; return item; }
    if (ch === '[') { item.set = this.parseClass(); return item; }
    if (ch === '\\') {
      const e = s[this.i++]!;
      if (e === 'b' || e === 'B') { item.zeroWidth = true; return item; }
      if (/[1-9]/.test(e)) { item.set = ALL(); return item; } // backreference: treat as anything
      if (e === 'x') { const c = parseInt(s.slice(this.i, this.i + 2), 16); this.i += 2; item.set = NONE(); addRange(item.set, c, c); return item; }
      if (e === 'u') { const c = parseInt(s.slice(this.i, this.i + 4), 16); this.i += 4; item.set = NONE(); addRange(item.set, c, c); return item; }
      item.set = escapeClass(e);
      return item;
    }
    item.set = escapeClass(ch);
    return item;
  }

  parseClass(): CharSet {
    const s = this.s;
    let negate = false;
    if (s[this.i] === '^') { negate = true; this.i++; }
    let set = NONE();
    let first = true;
    while (this.i < s.length && (s[this.i] !== ']' || first)) {
      first = false;
      let c: number;
      if (s[this.i] === '\\') {
        const e = s[this.i + 1]!;
        this.i += 2;
        if ('dDwWsS'.includes(e)) { set = union(set, escapeClass(e)); continue; }
        if (e === 'x') { c = parseInt(s.slice(this.i, this.i + 2), 16); this.i += 2; }
        else if (e === 'u') { c = parseInt(s.slice(this.i, this.i + 4), 16); this.i += 4; }
        else c = escapeClass(e).lo.findIndex((w) => w !== 0) >= 0 ? firstBit(escapeClass(e)) : e.charCodeAt(0);
      } else {
        c = s.charCodeAt(this.i++);
      }
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && this.i + 1 < s.length) {
        this.i++;
        let d: number;
        if (s[this.i] === '\\') { d = firstBit(escapeClass(s[this.i + 1]!)); this.i += 2; }
        else d = s.charCodeAt(this.i++);
        addRange(set, c, d);
        if (c <= 90 && d >= 65) addRange(set, Math.max(c, 65) + 32, Math.min(d, 90) + 32);
        if (c <= 122 && d >= 97) addRange(set, Math.max(c, 97) - 32, Math.min(d, 122) - 32);
      } else {
        set = union(set, escapeClass(String.fromCharCode(c)));
      }
    }
    this.i++; // ']'
    return negate ? invert(set) : set;
  }

  parseQuant(item: Item): void {
    const s = this.s;
    const ch = s[this.i];
    if (ch === '*') { item.min = 0; item.max = Infinity; this.i++; }
    else if (ch === '+') { item.min = 1; item.max = Infinity; this.i++; }
    else if (ch === '?') { item.min = 0; item.max = 1; this.i++; }
    else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i));
      if (!m) return;
      item.min = Number(m[1]);
      item.max = m[2] === undefined ? item.min : m[3] === '' ? Infinity : Number(m[3]);
      this.i += m[0].length;
    } else return;
    if (s[this.i] === '?') this.i++;
  }
}

function firstBit(s: CharSet): number {
  for (let c = 0; c < 128; c++) if (s.lo[c >> 5]! & (1 << (c & 31))) return c;
  return 0;
}

function hasRepetition(alt: Alt): boolean {
  if (alt.length > 1) return true;
  return alt.some((seq) => seq.some((it) => it.max > 1 || (it.group !== null && hasRepetition(it.group))));
}

function setOf(alt: Alt): CharSet {
  let s = NONE();
  for (const seq of alt) for (const it of seq) s = union(s, it.set ?? setOf(it.group ?? []));
  return s;
}

/** Flattens groups that are not repeated into one linear list of items per path (approximate). */
function flatten(seq: Seq, out: Item[]): void {
  for (const it of seq) {
    if (it.zeroWidth) continue;
    if (it.group && it.max <= 1) {
      if (it.group.length === 1) flatten(it.group[0]!, out);
      else out.push({ set: setOf(it.group), group: null, min: it.min, max: hasRepetition(it.group) ? Infinity : 1, zeroWidth: false });
      continue;
    }
    out.push(it.group ? { ...it, set: setOf(it.group) } : it);
  }
}

function nestedRepetition(alt: Alt): boolean {
  for (const seq of alt)
    for (const it of seq) {
      if (!it.group) continue;
      if (it.max > 1 && hasRepetition(it.group)) return true;
      if (nestedRepetition(it.group)) return true;
    }
  return false;
}

function longestChain(items: Item[], anchoredStart: boolean, anchoredEnd: boolean): number {
  const list = [...items];
  if (!anchoredStart) list.unshift({ set: ALL(), group: null, min: 0, max: Infinity, zeroWidth: false });
  // A final flexible item without `$` cannot make the match fail, so it adds no ambiguity.
  if (!anchoredEnd) while (list.length > 0 && list[list.length - 1]!.max === Infinity) list.pop();
  let best = 0;
  let chain = 0;
  let prev: Item | null = null;
  let sep = NONE();
  for (const it of list) {
    if (it.max === Infinity) {
      if (prev && subset(sep, prev.set!) && subset(sep, it.set!) && intersects(prev.set!, it.set!)) chain++;
      else chain = 1;
      best = Math.max(best, chain);
      prev = it;
      sep = NONE();
    } else if (it.min > 0) {
      sep = union(sep, it.set!);
    }
  }
  return best;
}

// Verdicts by JS source: the analysis is a pure function of the source, and a ruleset's start-up
// ran it 1,500 times. A compile records the verdicts it used (so a ruleset snapshot can carry them)
// and a snapshot's restore preloads them; the map is bounded for a server that reloads for months.
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 50_000;
let recording: Recording | null = null;

/** What a compile asked for: safety verdicts and required-character masks, by JS source. */
export interface Recording {
  verdicts: Map<string, boolean>;
  required: Map<string, number[][] | null>;
}

// Required-character masks (pattern.ts's prefilter) by JS source, the same way: their computation
// walked every pattern's source at every start.
const required = new Map<string, number[][] | null>();

/** The masks of `source`, computed once (callers get copies of their own). */
export function requiredCharsMemo(source: string, compute: (source: string) => Uint32Array[] | null): Uint32Array[] | null {
  if (preloaded.length > 0) takePreloaded();
  let m = required.get(source);
  if (m === undefined) {
    m = compute(source)?.map((a) => [...a]) ?? null;
    if (required.size >= MAX_VERDICTS) required.clear();
    required.set(source, m);
  }
  recording?.required.set(source, m);
  return m === null ? null : m.map((a) => Uint32Array.from(a));
}

/** True when the pattern may need more than quadratic time on V8 and should run on RE2. */
export function needsLinearEngine(jsSource: string): boolean {
  if (preloaded.length > 0) takePreloaded();
  let v = verdicts.get(jsSource);
  if (v === undefined) {
    v = analyse(jsSource);
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(jsSource, v);
  }
  recording?.verdicts.set(jsSource, v);
  return v;
}

/** Runs `fn`, returning what it returned and the analyses it asked for (nested calls record too). */
export function recordingVerdicts<T>(fn: () => T): { result: T; recorded: Recording } {
  const outer = recording;
  const mine: Recording = { verdicts: new Map(), required: new Map() };
  recording = mine;
  try {
    const result = fn();
    if (outer) {
      for (const [k, v] of mine.verdicts) outer.verdicts.set(k, v);
      for (const [k, v] of mine.required) outer.required.set(k, v);
    }
    return { result, recorded: mine };
  } finally {
    recording = outer;
  }
}

// Preloaded entries wait here until an analysis is first asked for: a restored snapshot compiles
// its patterns on first use, and a start that reaches none never needs the maps filled.
const preloaded: [Iterable<[string, boolean]>, Iterable<[string, number[][] | null]>][] = [];

function takePreloaded(): void {
  for (const [entries, masks] of preloaded.splice(0)) {
    for (const [k, v] of entries) {
      if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
      verdicts.set(k, v);
    }
    for (const [k, v] of masks) {
      if (required.size >= MAX_VERDICTS) required.clear();
      required.set(k, v);
    }
  }
}

/**
 * Preloads what a previous analysis gave (a ruleset snapshot, itself checked by its digest), taken
 * in when an analysis is first asked for; callers must not change `entries` and `masks` after.
 */
export function preloadVerdicts(entries: Iterable<[string, boolean]>, masks: Iterable<[string, number[][] | null]> = []): void {
  preloaded.push([entries, masks]);
}

function analyse(jsSource: string): boolean {
  let alt: Alt;
  try {
    const p = new Parser(jsSource);
    alt = p.parseAlt();
  } catch {
    return true;
  }
  if (nestedRepetition(alt)) return true;
  for (const seq of alt) {
    const anchoredStart = seq[0]?.zeroWidth === true && seq[0].group === null;
    const last = seq[seq.length - 1];
    const anchoredEnd = last?.zeroWidth === true && last.group === null;
    const items: Item[] = [];
    flatten(seq, items);
    if (longestChain(items, anchoredStart, anchoredEnd) >= 3) return true;
  }
  return false;
}
