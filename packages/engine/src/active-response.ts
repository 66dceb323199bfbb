// Active-response policy, pure: which <active-response> blocks a rule is bound to (spec §6.1),
// whether an alert may trigger one (anti-injection, white list), and execd's timeout list with
// duplicate suppression and repeated_offenders escalation (§6.2–6.4), with time passed in.
// The server runs scripts from these decisions; `replay` prints them.
import { blockTarget, parseIp, type AddressProblem, type AddressResult } from './address.js';
import type { ProcessResult } from './engine.js';
import type { IpEntry } from './ip-list.js';
import { IpListError, parseIpEntry } from './ip-list.js';
import type { Dialect, Pattern } from './regex/pattern.js';
import { compileOsMatch, compileOsRegex } from './regex/pattern.js';
import type { Rule } from './rules.js';

export interface ArCommand {
  name: string;
  executable: string;
  timeoutAllowed: boolean;
  expect: string[];
}

export interface ArBinding {
  /** Index in the config's list of <active-response> blocks. */
  index: number;
  command: ArCommand;
  location: string;
  level: number | null;
  rulesGroup: string | null;
  rulesId: number[];
  timeout: number;
  repeatedOffenders: number[];
}

export type ArTarget = 'local' | 'agents';

/** `local`/`server`/`analysisd` run on this host; `defined-agent`/`all` need agents (none yet). */
export function arTarget(location: string): ArTarget {
  return /(local|server|analysisd|analysis-server|^as$)/i.test(location) ? 'local' : 'agents';
}

/** Binds each rule (level ≥ 1, no `no_ar`) to its active responses, as analysisd does at load. */
export function bindActiveResponses(rules: Iterable<Rule>, bindings: ArBinding[], dialect: Dialect): Map<number, ArBinding[]> {
  const out = new Map<number, ArBinding[]>();
  const groupRe = new Map<ArBinding, Pattern>();
  for (const b of bindings) if (b.rulesGroup !== null) groupRe.set(b, compileOsRegex(b.rulesGroup.replace(/\\/g, '\\\\'), { dialect: 'wazuh' }));
  for (const rule of rules) {
    if (rule.level < 1 || rule.options.has('no_ar')) continue;
    for (const b of bindings) {
      const byLevel = b.level !== null && rule.level >= b.level;
      const re = groupRe.get(b);
      const byGroup = re !== undefined && re.test(rule.groups);
      const byId = b.rulesId.includes(rule.id);
      let bound: boolean;
      if (dialect === 'wazuh' && b.level !== null && b.rulesGroup !== null) bound = (byLevel && byGroup) || byId;
      else bound = byLevel || byGroup || byId;
      if (!bound) continue;
      const list = out.get(rule.id) ?? [];
      list.push(b);
      out.set(rule.id, list);
    }
  }
  return out;
}

/** The white list: IPs and networks (IPv4 and IPv6) parsed as such; anything else a host pattern. */
export class WhiteList {
  private readonly nets: IpEntry[] = [];
  private readonly patterns: Pattern[] = [];

  constructor(entries: string[]) {
    for (const raw of entries) {
      const e = raw.trim();
      if (e === '') continue;
      try {
        this.nets.push(parseIpEntry(e));
      } catch (err) {
        if (!(err instanceof IpListError)) throw err;
        this.patterns.push(compileOsMatch(e, { dialect: 'wazuh' }));
      }
    }
  }

  /**
   * The entry that covers `ip`, or null. An address is matched as `parseIp` reads it (so
   * `::ffff:a00:7` is 10.0.0.7), host patterns against its canonical text; text that is not an
   * address is tried against the host patterns only.
   */
  covers(ip: string): string | null {
    const parsed = parseIp(ip);
    const text = parsed.ok ? parsed.address.text : ip;
    if (parsed.ok) {
      const addr = parsed.address.addr;
      for (const n of this.nets) {
        if (n.any || !n.net) continue;
        const [net, bits] = n.net;
        if (net.kind() === addr.kind() && addr.match(net as never, bits) !== n.negated) return `${net.toString()}/${bits}`;
      }
    }
    for (const p of this.patterns) if (p.test(text)) return p.source;
    return null;
  }
}

const SAFE_USER = /^[a-zA-Z._0-9@?-]*$/;
const SAFE_IP = /^[a-zA-Z.:_0-9-]*$/;

export type ArRefusal =
  | { kind: 'unsafe-user'; value: string }
  | { kind: 'unsafe-srcip'; value: string }
  | { kind: 'missing-field'; field: string }
  | { kind: 'white-listed'; ip: string; entry: string }
  /** Safe characters, but not an address to act on (see address.ts `blockTarget`); `reason` follows the quoted value. */
  | { kind: 'bad-srcip'; value: string; problem: AddressProblem; reason: string };

export interface ArRequest {
  binding: ArBinding;
  /** Canonical (`blockTarget`): the one value the white list, protection, dedupe and the script see. */
  ip: string | null;
  user: string | null;
  ruleId: number;
  filename: string | null;
}

/** What a response decision reads of an engine result (a result, or its copy from another thread). */
export interface ArSubject {
  rule: ProcessResult['rule'];
  alertRule: ProcessResult['alertRule'];
  event: { readonly srcip?: string | undefined; readonly dstuser?: string | undefined; readonly filename?: string | undefined };
}

/**
 * blockTarget's answers for the addresses seen last: an attack repeats its source, and parsing it
 * again for every alert was a tenth of replay's per-alert work. Bounded (cleared when full); the
 * answers never leave checkArRequest, so sharing them is safe.
 */
const TARGETS = new Map<string, AddressResult>();
const TARGETS_MAX = 4096;

function targetOf(rawIp: string): AddressResult {
  let t = TARGETS.get(rawIp);
  if (t === undefined) {
    if (TARGETS.size >= TARGETS_MAX) TARGETS.clear();
    TARGETS.set(rawIp, (t = blockTarget(rawIp)));
  }
  return t;
}

/**
 * What analysisd checks before sending an AR: safe values, required fields, white list. The srcip
 * is then read once (`blockTarget`: strict, IPv4-mapped IPv6 as IPv4) and every later check uses
 * that canonical value; an srcip that is not an address to act on is refused, after the white list
 * (whose host patterns may cover a name).
 */
export function checkArRequest(r: ArSubject, binding: ArBinding, whiteList: WhiteList, dialect: Dialect): ArRequest | ArRefusal {
  const ev = r.event;
  const user = ev.dstuser ?? null;
  const rawIp = ev.srcip ?? null;
  if (user !== null && !SAFE_USER.test(user)) return { kind: 'unsafe-user', value: user };
  if (rawIp !== null && !SAFE_IP.test(rawIp)) return { kind: 'unsafe-srcip', value: rawIp };
  const expect = binding.command.expect;
  if (dialect === 'ossec') {
    for (const f of expect) {
      const v = f === 'srcip' ? rawIp : f === 'user' ? user : f === 'filename' ? (ev.filename ?? null) : 'x';
      if (v === null) return { kind: 'missing-field', field: f };
    }
  }
  let ip: string | null = null;
  if (rawIp !== null) {
    const target = targetOf(rawIp);
    const parsed = target.ok ? target : parseIp(rawIp);
    const shown = parsed.ok ? parsed.address.text : rawIp;
    if (dialect === 'wazuh' || expect.includes('srcip')) {
      const entry = whiteList.covers(shown);
      if (entry !== null) return { kind: 'white-listed', ip: shown, entry };
    }
    if (!target.ok) return { kind: 'bad-srcip', value: rawIp, problem: target.problem, reason: target.reason };
    ip = target.address.text;
  }
  return { binding, ip, user, ruleId: (r.alertRule ?? r.rule)!.id, filename: ev.filename ?? null };
}

export function isRefusal(x: ArRequest | ArRefusal): x is ArRefusal {
  return 'kind' in x;
}

export interface TimeoutEntry {
  key: string;
  command: string;
  ip: string | null;
  addedAt: number;
  releaseAt: number;
  timeout: number;
  offense: number;
}

export type TimeoutDecision =
  | { action: 'add'; entry: TimeoutEntry | null; timeout: number; offense: number }
  | { action: 'extend'; entry: TimeoutEntry; timeout: number; offense: number };

const NONE_DUE: readonly TimeoutEntry[] = Object.freeze([]);

interface HeapRecord {
  at: number;
  entry: TimeoutEntry;
}

function pushHeap(h: HeapRecord[], r: HeapRecord): void {
  let i = h.push(r) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (h[parent]!.at <= r.at) break;
    h[i] = h[parent]!;
    i = parent;
  }
  h[i] = r;
}

function popHeap(h: HeapRecord[]): HeapRecord {
  const top = h[0]!;
  const last = h.pop()!;
  if (h.length > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && h[l + 1]!.at < h[l]!.at ? l + 1 : l;
      if (h[c]!.at >= last.at) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top;
}

/**
 * execd's timeout list: a request for a (command, ip) already pending is not run again; its timer
 * restarts (and escalates per repeated_offenders). Counts per key are never decremented.
 */
export class TimeoutList {
  private readonly pending = new Map<string, TimeoutEntry>();
  /**
   * Min-heap of (release time, entry) pushed at every add, extend and restore, so `due` finds what
   * is due without walking every pending entry. A record is stale once its entry was released,
   * replaced or given another release time; stale records are dropped as they surface, and the
   * heap is rebuilt from `pending` when they outnumber the live ones.
   */
  private heap: HeapRecord[] = [];
  private readonly offenses = new Map<string, number>();
  /** Lower bound of the pending release times, so `due` is cheap when nothing is due. */
  private earliest = Infinity;

  static key(command: string, ip: string | null): string {
    return `${command}-${ip ?? '-'}`;
  }

  request(req: ArRequest, now: number): TimeoutDecision {
    const b = req.binding;
    const key = TimeoutList.key(b.command.name, req.ip);
    let timeout = b.timeout;
    const seen = this.offenses.get(key);
    let offense = 0;
    if (timeout > 0) {
      if (seen === undefined) this.offenses.set(key, 0);
      else {
        const n = b.repeatedOffenders.length;
        if (n > 0) {
          timeout = b.repeatedOffenders[Math.min(seen, n - 1)]! * 60;
          if (seen < n) this.offenses.set(key, seen + 1);
        }
        offense = Math.min(seen + 1, n);
      }
    }
    if (timeout <= 0) return { action: 'add', entry: null, timeout: 0, offense };
    const existing = this.pending.get(key);
    if (existing) {
      existing.addedAt = now;
      existing.timeout = timeout;
      existing.releaseAt = now + timeout;
      existing.offense = offense;
      this.push(existing);
      return { action: 'extend', entry: existing, timeout, offense };
    }
    const entry: TimeoutEntry = { key, command: b.command.name, ip: req.ip, addedAt: now, releaseAt: now + timeout, timeout, offense };
    this.pending.set(key, entry);
    this.push(entry);
    this.earliest = Math.min(this.earliest, entry.releaseAt);
    return { action: 'add', entry, timeout, offense };
  }

  /**
   * Removes and returns the entries due at `now` (their `delete` should run), once `now` has
   * reached `earliest`: every pending entry whose release time is at or before `now`.
   */
  due(now: number): readonly TimeoutEntry[] {
    // Asked once per line by `replay`: nothing due costs no allocation.
    if (now < this.earliest) return NONE_DUE;
    const out: TimeoutEntry[] = [];
    const heap = this.heap;
    // Every pending entry has a record at its current release time, so all that are due surface.
    while (heap.length > 0 && heap[0]!.at <= now) {
      const { entry } = popHeap(heap);
      if (this.pending.get(entry.key) === entry && entry.releaseAt <= now) {
        out.push(entry);
        this.pending.delete(entry.key);
      }
    }
    while (heap.length > 0 && !this.current(heap[0]!)) popHeap(heap);
    this.earliest = heap.length > 0 ? heap[0]!.at : Infinity;
    return out;
  }

  private current(r: HeapRecord): boolean {
    return this.pending.get(r.entry.key) === r.entry && r.entry.releaseAt === r.at;
  }

  private push(entry: TimeoutEntry): void {
    if (this.heap.length >= 2 * this.pending.size + 1024) {
      this.heap = [];
      for (const e of this.pending.values()) if (e !== entry) pushHeap(this.heap, { at: e.releaseAt, entry: e });
    }
    pushHeap(this.heap, { at: entry.releaseAt, entry });
  }

  /** Drops a pending entry (manual release); returns it if it was there. */
  release(command: string, ip: string | null): TimeoutEntry | null {
    const key = TimeoutList.key(command, ip);
    const e = this.pending.get(key) ?? null;
    this.pending.delete(key);
    return e;
  }

  get size(): number {
    return this.pending.size;
  }

  /** The repeated-offender count of a key, or undefined when it never ran (for storing it). */
  offenseCount(key: string): number | undefined {
    return this.offenses.get(key);
  }

  /** Sets a key's repeated-offender count without a pending entry (after a restart, from stored state). */
  restoreOffenses(key: string, count: number): void {
    this.offenses.set(key, count);
  }

  /** Re-arms an entry (after a restart, from stored state). */
  restore(entry: TimeoutEntry, offenses: number): void {
    this.pending.set(entry.key, entry);
    this.push(entry);
    this.offenses.set(entry.key, offenses);
    this.earliest = Math.min(this.earliest, entry.releaseAt);
  }
}
