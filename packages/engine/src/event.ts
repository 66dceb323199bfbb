// The event that flows through the stages: predecode → decode → rules → correlation.

/** Static fields, named as OSSEC 4.x logtest prints them. */
export const STATIC_FIELDS = [
  'srcip',
  'dstip',
  'srcport',
  'dstport',
  'proto',
  'action',
  'id',
  'url',
  'extra_data',
  'status',
  'srcuser',
  'dstuser',
  'system_name',
  'filename',
] as const;
export type StaticField = (typeof STATIC_FIELDS)[number];

export interface DecoderRef {
  readonly name: string;
  readonly parent: string | null;
  readonly category: string;
}

const NO_ASSIGNMENTS: readonly [string, string][] = [];

/**
 * The lowercased-ASCII character mask of an event's log in four words (bit c of word c >> 5), which
 * the rule and decoder prefilters compare with the characters a pattern needs. Events are evaluated
 * one at a time, so one mask serves, tagged with the event it was made for (kept off the Event:
 * alerted events stay in correlation memory, and every field there is copied by each scavenge).
 */
export class LogMask {
  owner: Event | null = null;
  m0 = 0;
  m1 = 0;
  m2 = 0;
  m3 = 0;
}
export const LOG_MASK = new LogMask();

/** LOG_MASK made for `ev`'s log (computed here when it was made for another event). */
export function logMask(ev: Event): LogMask {
  const out = LOG_MASK;
  if (out.owner === ev) return out;
  const s = ev.log;
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 64) {
      if (c >= 128) continue;
      if (c >= 65 && c <= 90) c += 32;
      if (c >= 96) m3 |= 1 << (c & 31);
      else m2 |= 1 << (c & 31);
    } else if (c >= 32) m1 |= 1 << (c & 31);
    else m0 |= 1 << c;
  }
  out.m0 = m0;
  out.m1 = m1;
  out.m2 = m2;
  out.m3 = m3;
  out.owner = ev;
  return out;
}

export class Event {
  fullLog: string;
  log: string;
  location: string;
  hostname: string | null;
  /** The hostname the line's own header names, kept when an agent's name replaces `hostname` (Wazuh). */
  headerHostname: string | null = null;
  programName: string | null;
  timestamp: string | null;
  /** Event time in seconds (reception time, or the log's time in replay). */
  time: number;
  decoder: DecoderRef | null = null;
  decoderCategory = 'syslog';
  /** First-time-seen key fields of the decoder that matched (null: if_fts rules cannot match). */
  fts: string[] | null = null;

  srcip: string | undefined;
  dstip: string | undefined;
  srcport: string | undefined;
  dstport: string | undefined;
  proto: string | undefined;
  action: string | undefined;
  id: string | undefined;
  url: string | undefined;
  extra_data: string | undefined;
  status: string | undefined;
  srcuser: string | undefined;
  dstuser: string | undefined;
  system_name: string | undefined;
  filename: string | undefined;

  /** Dynamic fields in assignment order; duplicates allowed, the first wins in lookups. */
  dynamic: [string, string][] | null = null;
  /**
   * Capture assignments as label, value, label, value, … in one array allocated on the first (most
   * lines set few or no fields; alerted events stay in correlation memory, so they are kept small).
   */
  private assigned: string[] | null = null;
  /**
   * Which of the first 31 assignments were of static fields (bit i: the i-th), so an event can be
   * rebuilt elsewhere with the same calls (event-wire.ts); a later one is not recorded.
   */
  staticMask = 0;

  /** The capture assignments as label, value, label, value, …, or null: the array itself, not to be changed. */
  get assignedPairs(): readonly string[] | null {
    return this.assigned;
  }

  /** Every capture assignment in order, as logtest prints them (label, value): a new array per call. */
  get assignments(): readonly [string, string][] {
    const a = this.assigned;
    if (a === null) return NO_ASSIGNMENTS;
    const out: [string, string][] = [];
    for (let i = 0; i < a.length; i += 2) out.push([a[i]!, a[i + 1]!]);
    return out;
  }

  /** Correlation mark: the level of the rule whose fire consumed this event. */
  matched = 0;
  /** Rule that alerted for this event (set after evaluation). */
  ruleId = 0;
  /** Dynamic fields by name for `$(field)` substitution and `<field>`: built lazily. */

  constructor(fullLog: string, log: string, location: string, time: number) {
    this.fullLog = fullLog;
    this.log = log;
    this.location = location;
    this.hostname = null;
    this.programName = null;
    this.timestamp = null;
    this.time = time;
  }

  setField(label: string, value: string, isStatic: boolean): void {
    // A first field makes an array of its size (growing from [] would reserve 17 slots at once).
    let n = 0;
    if (this.assigned === null) this.assigned = [label, value];
    else {
      n = this.assigned.length >> 1;
      this.assigned.push(label, value);
    }
    if (isStatic) {
      if (n < 31) this.staticMask |= 1 << n;
      (this as unknown as Record<string, string>)[label] = value;
    }
    else if (this.dynamic === null) this.dynamic = [[label, value]];
    else this.dynamic.push([label, value]);
  }

  getDynamic(name: string): string | undefined {
    if (this.dynamic === null) return undefined;
    for (const [k, v] of this.dynamic) if (k === name) return v;
    return undefined;
  }

  /** Any field by name: static, predecoded, or dynamic. */
  getField(name: string): string | undefined {
    switch (name) {
      case 'hostname':
        return this.hostname ?? undefined;
      case 'program_name':
        return this.programName ?? undefined;
      case 'location':
        return this.location;
      case 'full_log':
        return this.fullLog;
      case 'log':
        return this.log;
      case 'protocol':
        return this.proto;
      case 'data':
        return this.extra_data;
      case 'user':
        return this.dstuser;
      case 'systemname':
        return this.system_name;
      default:
        if ((STATIC_FIELDS as readonly string[]).includes(name)) return (this as unknown as Record<string, string | undefined>)[name];
        return this.getDynamic(name);
    }
  }

  /** Decoded fields as an object keyed by logtest label (last assignment wins). */
  fieldsObject(): Record<string, string> {
    const out: Record<string, string> = {};
    const a = this.assigned;
    if (a !== null) for (let i = 0; i < a.length; i += 2) out[a[i]!] = a[i + 1]!;
    return out;
  }
}
