// The lists of earlier alerted events that correlation rules search (if_matched_sid / _group).
import type { Event } from './event.js';

/** A list of earlier alerted events searched by correlation rules (newest last). */
export class EventList {
  items: Event[] = [];
  /**
   * Per-source-IP view of `items`, kept when a reader filters with same_source_ip under the Wazuh
   * dialect (where that filter runs before the `matched` check, so skipping other IPs changes
   * nothing): a search then walks one attacker's events instead of everyone's.
   */
  bySrcip: Map<string, Event[]> | null = null;
  constructor(readonly cap: number) {}

  push(ev: Event): void {
    this.items.push(ev);
    if (this.bySrcip !== null && ev.srcip !== undefined) {
      const l = this.bySrcip.get(ev.srcip);
      if (l) l.push(ev);
      else this.bySrcip.set(ev.srcip, [ev]);
    }
    if (this.items.length > this.cap) this.unindex(this.items.shift()!);
  }

  remove(ev: Event): void {
    // Evictions remove the oldest event, so it is nearly always first: shift() is O(1) in V8.
    if (this.items[0] === ev) this.items.shift();
    else {
      const i = this.items.indexOf(ev);
      if (i < 0) return;
      this.items.splice(i, 1);
    }
    this.unindex(ev);
  }

  /** Drops the oldest entry (OSSEC's group-list eviction). */
  removeOldest(): void {
    const ev = this.items.shift();
    if (ev) this.unindex(ev);
  }

  clear(): void {
    this.items = [];
    if (this.bySrcip !== null) this.bySrcip = new Map();
  }

  /** Takes over another list's contents (hot reload keeps correlation state). */
  adopt(other: EventList): void {
    this.items = other.items;
    if (this.bySrcip !== null) {
      this.bySrcip = new Map();
      for (const ev of this.items) if (ev.srcip !== undefined) {
        const l = this.bySrcip.get(ev.srcip);
        if (l) l.push(ev);
        else this.bySrcip.set(ev.srcip, [ev]);
      }
    }
  }

  private unindex(ev: Event): void {
    if (this.bySrcip === null || ev.srcip === undefined) return;
    const l = this.bySrcip.get(ev.srcip);
    if (!l) return;
    if (l[0] === ev) l.shift();
    else {
      const i = l.indexOf(ev);
      if (i >= 0) l.splice(i, 1);
    }
    if (l.length === 0) this.bySrcip.delete(ev.srcip);
  }
}
