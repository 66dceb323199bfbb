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

/** What the writer hands over for a run of lines: plain data, its typed arrays transferable. */
export interface WireBatch {
  /** The lines, in order. */
  lines: string[];
  /** Each line's time in seconds. */
  times: Float64Array;
  /** Each line's record (see EventWriter.add), one after another. */
  ints: Int32Array;
  /** Strings of these events that are not in their line. */
  literals: string[];
  /** Strings added to the run's dictionary (labels, host and program names not in their line). */
  words: string[];
}

// A string is two integers (a, b): a ≥ 0: the base string's [a, b); NONE: null; LITERAL: the
// batch's literals[b]; WORD: the dictionary's entry b.
const NONE = -1;
const LITERAL = -2;
const WORD = -3;

// Record kinds.
const RAW = 0;
const DECODED = 1;

const HAS_FTS = 1;
const HAS_MASK = 2;

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
  #ints = new Int32Array(1 << 14);
  #n = 0;
  #lines: string[] = [];
  #times: number[] = [];
  #literals: string[] = [];
  #words: string[] = [];
  readonly #dictionary = new Map<string, number>();
  readonly #decoderIndex: Map<Decoder, number>;
  /** DecoderRef → [decoder index, top-level decoder index or -1, the decoder]. */
  readonly #refs = new Map<DecoderRef, [number, number, Decoder]>();

  constructor(readonly decoders: DecoderSet) {
    this.#decoderIndex = indexOfDecoders(decoders);
  }

  /** Lines added since the last `take`. */
  get count(): number {
    return this.#lines.length;
  }

  /** Adds a line at `time` and the event `Engine.decodeLine` made of it (null: the reader processes the line whole). */
  add(line: string, time: number, ev: Event | null): void {
    this.#lines.push(line);
    this.#times.push(time);
    const start = this.#n;
    if (ev === null || !this.#event(line, ev)) {
      this.#n = start;
      this.#int(RAW);
    }
  }

  /** The batch so far; the writer starts a new one. */
  take(): WireBatch {
    const batch: WireBatch = {
      lines: this.#lines,
      times: Float64Array.from(this.#times),
      ints: this.#ints.slice(0, this.#n),
      literals: this.#literals,
      words: this.#words,
    };
    this.#lines = [];
    this.#times = [];
    this.#literals = [];
    this.#words = [];
    this.#n = 0;
    return batch;
  }

  /** Writes ev's record; false when it cannot be described exactly (the caller sends the line raw). */
  #event(line: string, ev: Event): boolean {
    const pairs = ev.assignedPairs;
    const nAssigned = pairs === null ? 0 : pairs.length >> 1;
    if (nAssigned > MAX_ASSIGNMENTS || ev.matched !== 0 || ev.ruleId !== 0) return false;
    let d: Decoder | null = null;
    let dIdx = -1;
    let topIdx = -1;
    if (ev.decoder !== null) {
      const known = this.#refs.get(ev.decoder) ?? this.#findRef(ev.decoder);
      if (known === undefined) return false;
      [dIdx, topIdx, d] = known;
      if (ev.decoderCategory !== ev.decoder.category || (ev.fts !== null && ev.fts !== d.fts)) return false;
    } else if (ev.decoderCategory !== 'syslog' || ev.fts !== null) return false;
    const full = ev.fullLog;
    this.#int(DECODED);
    const owned = LOG_MASK.owner === ev;
    this.#int((ev.fts !== null ? HAS_FTS : 0) | (owned ? HAS_MASK : 0));
    if (full === line) this.#pair(0, line.length);
    else this.#literal(full);
    this.#string(full, ev.log, false);
    this.#string(full, ev.hostname, true);
    this.#string(full, ev.headerHostname, true);
    this.#string(full, ev.programName, true);
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
    for (let i = 0; i < nAssigned * 2; i += 2) {
      this.#word(pairs![i]!);
      this.#string(full, pairs![i + 1]!, false);
    }
    return true;
  }

  #findRef(ref: DecoderRef): [number, number, Decoder] | undefined {
    for (const d of this.decoders.all) {
      if (d.refs === null) continue;
      for (const [top, r] of d.refs) {
        if (r !== ref) continue;
        const found: [number, number, Decoder] = [this.#decoderIndex.get(d)!, top === null ? -1 : this.#decoderIndex.get(top)!, d];
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
    let at = base.length - s.length;
    if (at < 0 || !base.startsWith(s, at)) at = base.indexOf(s);
    if (at >= 0) return this.#pair(at, at + s.length);
    if (word) return this.#word(s);
    this.#literal(s);
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
  readonly #all: readonly Decoder[];

  constructor(
    readonly engine: Engine,
    decoders: DecoderSet,
    readonly location: string,
  ) {
    this.#all = decoders.all;
  }

  /**
   * Calls `each` for every line of the batch, in order, with its time and its event (null: the
   * line is to be processed whole). An event's log mask is set up for it when it is passed: the
   * caller evaluates it before asking for the next.
   */
  forEach(batch: WireBatch, each: (line: string, time: number, ev: Event | null) => void): void {
    for (const w of batch.words) this.#words.push(w);
    const { lines, times, ints, literals } = batch;
    const words = this.#words;
    const str = (base: string, a: number, b: number): string | null =>
      a >= 0 ? base.slice(a, b) : a === NONE ? null : a === LITERAL ? literals[b]! : words[b]!;
    let p = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const time = times[i]!;
      if (ints[p++] === RAW) {
        each(line, time, null);
        continue;
      }
      const flags = ints[p++]!;
      const full = str(line, ints[p]!, ints[p + 1]!)!;
      const ev = new Event(full, str(full, ints[p + 2]!, ints[p + 3]!)!, this.location, time);
      ev.hostname = str(full, ints[p + 4]!, ints[p + 5]!);
      ev.headerHostname = str(full, ints[p + 6]!, ints[p + 7]!);
      const program = str(full, ints[p + 8]!, ints[p + 9]!);
      ev.programName = program === null ? null : this.engine.programName(program);
      ev.timestamp = str(full, ints[p + 10]!, ints[p + 11]!);
      const dIdx = ints[p + 12]!;
      const topIdx = ints[p + 13]!;
      p += 14;
      if (dIdx >= 0) {
        const d = this.#all[dIdx]!;
        const ref = refOf(d, topIdx < 0 ? null : this.#all[topIdx]!);
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
      each(line, time, ev);
    }
  }
}
