// The lists of earlier alerted events (as CorrelationRecords) that correlation searches: the global
// history, the if_matched_sid lists and the if_matched_group lists. Ring buffers: entries come in
// at the new end and nearly always leave at the old end, with no array reallocated per event.
import type { CorrelationRecord } from './correlation-record.js';

/** A list of records, oldest first (`at(0)`), newest last (`at(length - 1)`). */
export class RecordList {
  private buf: (CorrelationRecord | undefined)[];
  private head = 0;
  length = 0;
  /**
   * Per-source-IP view of the list, kept when a reader filters with same_source_ip under the Wazuh
   * dialect (where that filter runs before the `matched` check, so skipping other IPs changes
   * nothing): a search then walks one attacker's records instead of everyone's. A source with one
   * record keeps the record itself: with many sources of one attempt each (a spread-out brute force)
   * a list per source was made and dropped for every event (a third of a replay's time was GC).
   */
  bySrcip: Map<string, RecordList | CorrelationRecord> | null = null;
  /** The record value slot `bySrcip` is keyed by (set with the ruleset's record layout). */
  indexSlot = -1;
  /** No record was pushed with a time before the newest one's, so the list is in time order (see remove). */
  private ordered = true;

  /** `cap`: entries kept, the oldest dropped beyond it; `size`: initial room (a power of two). */
  constructor(
    readonly cap: number,
    size = 8,
  ) {
    this.buf = new Array<CorrelationRecord | undefined>(size);
  }

  /** The i-th record from the oldest (callers keep 0 <= i < length). */
  at(i: number): CorrelationRecord {
    return this.buf[(this.head + i) & (this.buf.length - 1)]!;
  }

  push(rec: CorrelationRecord): void {
    if (this.length >= this.cap) this.unindex(this.shift()!);
    if (this.length === this.buf.length) this.grow();
    if (this.ordered && this.length > 0 && rec.time < this.at(this.length - 1).time) this.ordered = false;
    this.buf[(this.head + this.length) & (this.buf.length - 1)] = rec;
    this.length++;
    if (this.bySrcip !== null) {
      const key = rec.value(this.indexSlot);
      if (key !== undefined) {
        const had = this.bySrcip.get(key);
        if (had === undefined) this.bySrcip.set(key, rec);
        else if (had instanceof RecordList) had.push(rec);
        else {
          const l = new RecordList(Number.MAX_SAFE_INTEGER, 4);
          l.push(had);
          l.push(rec);
          this.bySrcip.set(key, l);
        }
      }
    }
  }

  /**
   * The records of one source (kept by `bySrcip`), oldest first: its list, or for a source with one
   * record a list of it that is valid until the next call (a search reads it at once); none for an
   * event without a source.
   */
  ofSource(srcip: string | undefined): RecordList {
    const had = srcip === undefined ? undefined : this.bySrcip?.get(srcip);
    if (had === undefined) return EMPTY;
    if (had instanceof RecordList) return had;
    ONE.buf[0] = had;
    return ONE;
  }

  /** Takes the oldest record out (not out of the per-source view; see removeOldest). */
  shift(): CorrelationRecord | undefined {
    if (this.length === 0) return undefined;
    const rec = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.length--;
    return rec;
  }

  remove(rec: CorrelationRecord): void {
    if (this.length === 0) return;
    // Evictions remove the oldest record of the history: when it is still in this list it is
    // nearly always first. When it is not (a capped list dropped it long ago), a list in time order
    // tells so from its oldest record's time, without a search through the whole list.
    const first = this.at(0);
    if (first === rec) this.shift();
    else if (this.ordered && rec.time < first.time) return;
    else if (!this.removeAt(this.indexOf(rec))) return;
    this.unindex(rec);
  }

  /** Drops the oldest entry (OSSEC's group-list eviction). */
  removeOldest(): void {
    const rec = this.shift();
    if (rec) this.unindex(rec);
  }

  clear(): void {
    this.buf = new Array<CorrelationRecord | undefined>(8);
    this.head = 0;
    this.length = 0;
    this.ordered = true;
    if (this.bySrcip !== null) this.bySrcip = new Map();
  }

  /** Every record, oldest first. */
  toArray(): CorrelationRecord[] {
    const out: CorrelationRecord[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.at(i));
    return out;
  }

  private indexOf(rec: CorrelationRecord): number {
    for (let i = 0; i < this.length; i++) if (this.at(i) === rec) return i;
    return -1;
  }

  /** Removes the i-th record, moving the newer ones down; false when i is -1. */
  private removeAt(i: number): boolean {
    if (i < 0) return false;
    const mask = this.buf.length - 1;
    for (let j = i; j < this.length - 1; j++) this.buf[(this.head + j) & mask] = this.buf[(this.head + j + 1) & mask];
    this.buf[(this.head + this.length - 1) & mask] = undefined;
    this.length--;
    return true;
  }

  private grow(): void {
    const next = new Array<CorrelationRecord | undefined>(this.buf.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.at(i);
    this.buf = next;
    this.head = 0;
  }

  private unindex(rec: CorrelationRecord): void {
    if (this.bySrcip === null) return;
    const key = rec.value(this.indexSlot);
    if (key === undefined) return;
    const had = this.bySrcip.get(key);
    if (had === undefined) return;
    if (had instanceof RecordList) {
      had.remove(rec);
      if (had.length === 0) this.bySrcip.delete(key);
    } else if (had === rec) this.bySrcip.delete(key);
  }
}

const EMPTY = new RecordList(0, 1);
/** ofSource's answer for a source with one record. */
const ONE = new RecordList(1, 1);
ONE.length = 1;
