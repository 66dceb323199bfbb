// Decoded events handed from one thread to another (replay reads, pre-decodes and decodes in one
// thread and walks the rules in another). An Event cannot cross threads, so the writer sends each
// line's text and, for its event, integers: where each string of the event lies in its line (or a
// string of its own when it is not there), which decoder decoded it, its log mask and its field
// assignments in order. The reader makes the same Event with the same calls: the rule walk cannot
// tell it from one decoded in place. An event the writer cannot describe exactly goes as its line
// alone, for the reading engine to process whole (never a guess).
import type { Decoder, DecoderSet } from './decoders.js';
import { refOf } from './decode.js';
import type { Engine } from './engine.js';
import type { DecoderRef } from './event.js';
import { Event, LOG_MASK } from './event.js';
import { LOG_TAIL } from './predecode.js';

/** What the writer hands over for a run of lines: plain data, its typed arrays transferable. */
export interface WireBatch {
  /**
   * The lines, in order, each a string of its own: the events correlation keeps hold slices of
   * their line, and slices of one string per batch kept whole batches alive (2.4× the memory).
   */
  lines: string[];
  /** Each line's record (see EventWriter.add), one after another (the array may be longer). */
  ints: Int32Array;
  /** Strings of these events that are not in their line. */
  literals: string[];
  /** Strings added to the run's dictionary (field labels, program names, hostnames not in their line). */
  words: string[];
}

// A string is two integers (a, b): a ≥ 0: the base string's [a, b); NONE: null; LITERAL: the
// batch's literals[b]; WORD: the dictionary's entry b; SAME (headerHostname only): hostname's.
const NONE = -1;
const LITERAL = -2;
const WORD = -3;
/** The header's hostname only: the same as the event's hostname. */
const SAME = -4;

interface KnownRef {
  readonly d: Decoder;
  readonly dIdx: number;
  readonly topIdx: number;
}

// Record kinds.
const RAW = 0;
const DECODED = 1;

const HAS_FTS = 1;
const HAS_MASK = 2;

/** The size of a batch's array of integers (it grows for a longer batch). */
const INTS = 1 << 16;

/** Entries the dictionary keeps at most; beyond, strings go as literals. */
const MAX_WORDS = 10_000;
/** Assignments an event may have to go decoded (Event.staticMask records 31). */
const MAX_ASSIGNMENTS = 31;

/** The decoder index of each decoder of a set (its position in `all`, the same in every thread that loaded the same files). */
function indexOfDecoders(set: DecoderSet): Map<Decoder, number> {
  const m = new Map<Decoder, number>();
  set.all.forEach((d, i) => m.set(d, i));
  return m;
}

/** A fingerprint of a decoder set's order, so both ends can check they loaded the same decoders. */
export function decoderSetKey(set: DecoderSet): string {
  return `${set.all.length}:${set.all.map((d) => d.name).join('\n')}`;
}

export class EventWriter {
  #ints: Int32Array = new Int32Array(INTS);
  /** Arrays given back (`recycle`): a fresh one of this size costs page faults on every batch. */
  readonly #spare: Int32Array[] = [];
  #n = 0;
  #lines: string[] = [];
  #literals: string[] = [];
  #words: string[] = [];
  readonly #dictionary = new Map<string, number>();
  readonly #decoderIndex: Map<Decoder, number>;
  /** What each DecoderRef stands for: the decoder's index, its top-level decoder's (or -1). */
  readonly #refs = new Map<DecoderRef, KnownRef>();

  constructor(readonly decoders: DecoderSet) {
    this.#decoderIndex = indexOfDecoders(decoders);
  }

  /** Lines added since the last `take`. */
  get count(): number {
    return this.#lines.length;
  }

  /**
   * Adds a line and the event `Engine.decodeLine` made of it (null: the reader processes the line
   * whole). Its time is not sent: the reader gives the event the time it reads from the line.
   */
  add(line: string, ev: Event | null): void {
    this.#lines.push(line);
    const start = this.#n;
    if (ev === null || !this.#event(line, ev)) {
      this.#n = start;
      this.#int(RAW);
    }
  }

  /** The batch so far, its arrays with it (see `recycle`); the writer starts a new one. */
  take(): WireBatch {
    const batch: WireBatch = { lines: this.#lines, ints: this.#ints, literals: this.#literals, words: this.#words };
    this.#ints = this.#spare.pop() ?? new Int32Array(INTS);
    this.#lines = [];
    this.#literals = [];
    this.#words = [];
    this.#n = 0;
    return batch;
  }

  /** Gives back the array of a batch that was read, for a later one. */
  recycle(ints: Int32Array): void {
    if (ints.length === INTS && this.#spare.length < 16) this.#spare.push(ints);
  }

  /** Writes ev's record; false when it cannot be described exactly (the caller sends the line raw). */
  #event(line: string, ev: Event): boolean {
    const pairs = ev.assignedPairs;
    const nAssigned = pairs === null ? 0 : pairs.length >> 1;
    if (nAssigned > MAX_ASSIGNMENTS || ev.matched !== 0 || ev.ruleId !== 0) return false;
    let dIdx = -1;
    let topIdx = -1;
    if (ev.decoder !== null) {
      const known = this.#refs.get(ev.decoder) ?? this.#findRef(ev.decoder);
      if (known === undefined) return false;
      dIdx = known.dIdx;
      topIdx = known.topIdx;
      if (ev.decoderCategory !== ev.decoder.category || (ev.fts !== null && ev.fts !== known.d.fts)) return false;
    } else if (ev.decoderCategory !== 'syslog' || ev.fts !== null) return false;
    const full = ev.fullLog;
    this.#int(DECODED);
    const owned = LOG_MASK.owner === ev;
    this.#int((ev.fts !== null ? HAS_FTS : 0) | (owned ? HAS_MASK : 0));
    if (full === line) this.#pair(0, line.length);
    else this.#literal(full);
    if (LOG_TAIL.owner === ev) this.#pair(LOG_TAIL.at, full.length);
    else this.#suffix(full, ev.log);
    this.#string(full, ev.hostname, true);
    if (ev.headerHostname === ev.hostname && ev.hostname !== null) this.#pair(SAME, 0);
    else this.#string(full, ev.headerHostname, true);
    this.#program(ev.programName);
    this.#string(full, ev.timestamp, false);
    this.#int(dIdx);
    this.#int(topIdx);
    if (owned) {
      this.#int(LOG_MASK.m0);
      this.#int(LOG_MASK.m1);
      this.#int(LOG_MASK.m2);
      this.#int(LOG_MASK.m3);
    }
    this.#int(nAssigned);
    this.#int(ev.staticMask);
    // Captures mostly come in the order they lie in the log: each is looked for from the last.
    let from = full.length - ev.log.length;
    for (let i = 0; i < nAssigned * 2; i += 2) {
      this.#word(pairs![i]!);
      from = this.#field(full, pairs![i + 1]!, from);
    }
    return true;
  }

  #findRef(ref: DecoderRef): KnownRef | undefined {
    for (const d of this.decoders.all) {
      if (d.refs === null) continue;
      for (const [top, r] of d.refs) {
        if (r !== ref) continue;
        const found: KnownRef = { d, dIdx: this.#decoderIndex.get(d)!, topIdx: top === null ? -1 : this.#decoderIndex.get(top)! };
        this.#refs.set(ref, found);
        return found;
      }
    }
    return undefined;
  }

  #int(v: number): void {
    if (this.#n === this.#ints.length) {
      const bigger = new Int32Array(this.#ints.length * 2);
      bigger.set(this.#ints);
      this.#ints = bigger;
    }
    this.#ints[this.#n++] = v;
  }

  #pair(a: number, b: number): void {
    this.#int(a);
    this.#int(b);
  }

  /** `s` as where it lies in `base`, else as a dictionary word (`word`) or a literal. */
  #string(base: string, s: string | null, word: boolean): void {
    if (s === null) return this.#pair(NONE, 0);
    const at = base.indexOf(s);
    if (at >= 0) return this.#pair(at, at + s.length);
    if (word) return this.#word(s);
    this.#literal(s);
  }

  /** A field's value, looked for from `from` first; returns where to look for the next. */
  #field(base: string, s: string, from: number): number {
    let at = from < 0 ? -1 : base.indexOf(s, from);
    if (at < 0) at = base.indexOf(s);
    if (at < 0) {
      this.#literal(s);
      return from;
    }
    this.#pair(at, at + s.length);
    return at + s.length;
  }

  /** #string for a log, nearly always the end of its line (endsWith is several times faster than a search). */
  #suffix(base: string, s: string): void {
    if (base.endsWith(s)) this.#pair(base.length - s.length, base.length);
    else this.#string(base, s, false);
  }

  /** A program name as a word: decoding made it the index's copy, whose hash is known (a cheap lookup). */
  #program(s: string | null): void {
    if (s === null) this.#pair(NONE, 0);
    else this.#word(s);
  }

  #word(s: string): void {
    let i = this.#dictionary.get(s);
    if (i === undefined) {
      if (this.#dictionary.size >= MAX_WORDS) return this.#literal(s);
      i = this.#dictionary.size;
      this.#dictionary.set(s, i);
      this.#words.push(s);
    }
    this.#pair(WORD, i);
  }

  #literal(s: string): void {
    this.#pair(LITERAL, this.#literals.length);
    this.#literals.push(s);
  }
}

/** Rebuilds the events an EventWriter described, for an engine of the same decoder set. */
export class EventReader {
  readonly #words: string[] = [];
  /** Program names by word (the engine's copy of each, see Engine.programName). */
  readonly #programs: (string | undefined)[] = [];
  /** What each decoder under each parent reports, by index (refOf, without its map lookup). */
  readonly #refs = new Map<number, DecoderRef>();
  readonly #all: readonly Decoder[];

  constructor(
    readonly engine: Engine,
    decoders: DecoderSet,
    readonly location: string,
  ) {
    this.#all = decoders.all;
  }

  /**
   * Calls `each` for every line of the batch, in order, with its event (null: the line is to be
   * processed whole), whose time is 0 for the caller to set. An event's log mask is set up for it
   * when it is passed: the caller evaluates it before asking for the next.
   */
  forEach(batch: WireBatch, each: (line: string, ev: Event | null) => void): void {
    for (const w of batch.words) this.#words.push(w);
    const { lines, ints, literals } = batch;
    const words = this.#words;
    const str = (base: string, a: number, b: number): string | null =>
      a >= 0 ? base.slice(a, b) : a === NONE ? null : a === LITERAL ? literals[b]! : words[b]!;
    let p = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (ints[p++] === RAW) {
        each(line, null);
        continue;
      }
      const flags = ints[p++]!;
      const full = str(line, ints[p]!, ints[p + 1]!)!;
      const ev = new Event(full, str(full, ints[p + 2]!, ints[p + 3]!)!, this.location, 0);
      ev.hostname = str(full, ints[p + 4]!, ints[p + 5]!);
      ev.headerHostname = ints[p + 6] === SAME ? ev.hostname : str(full, ints[p + 6]!, ints[p + 7]!);
      ev.programName = ints[p + 8] === NONE ? null : this.#program(ints[p + 8]!, ints[p + 9]!, literals);
      ev.timestamp = str(full, ints[p + 10]!, ints[p + 11]!);
      const dIdx = ints[p + 12]!;
      const topIdx = ints[p + 13]!;
      p += 14;
      if (dIdx >= 0) {
        const d = this.#all[dIdx]!;
        const key = dIdx * 65536 + topIdx + 1;
        let ref = this.#refs.get(key);
        if (ref === undefined) this.#refs.set(key, (ref = refOf(d, topIdx < 0 ? null : this.#all[topIdx]!)));
        ev.decoder = ref;
        ev.decoderCategory = ref.category;
        if ((flags & HAS_FTS) !== 0) ev.fts = d.fts;
      }
      let mask = false;
      if ((flags & HAS_MASK) !== 0) {
        LOG_MASK.m0 = ints[p]!;
        LOG_MASK.m1 = ints[p + 1]!;
        LOG_MASK.m2 = ints[p + 2]!;
        LOG_MASK.m3 = ints[p + 3]!;
        p += 4;
        mask = true;
      }
      const n = ints[p]!;
      const statics = ints[p + 1]!;
      p += 2;
      for (let k = 0; k < n; k++, p += 4) {
        const label = str(full, ints[p]!, ints[p + 1]!)!;
        ev.setField(label, str(full, ints[p + 2]!, ints[p + 3]!)!, (statics & (1 << k)) !== 0);
      }
      if (mask) LOG_MASK.owner = ev;
      each(line, ev);
    }
  }

  #program(a: number, b: number, literals: string[]): string {
    if (a === LITERAL) return this.engine.programName(literals[b]!);
    return (this.#programs[b] ??= this.engine.programName(this.#words[b]!));
  }
}
