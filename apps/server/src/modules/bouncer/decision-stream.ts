// The decisions stream of the CrowdSec Local API, per registered host, computed from the blocks
// delivered to that host (block_deliveries) against what its bouncer holds (bouncer_sent).
//
// - startup=true: every decision in force for the host in `new`; what the bouncer holds is then
//   exactly that.
// - a poll: the differences for the values that changed since its last written answer (a block
//   change marks its address dirty for each of its hosts), or for all values after a server
//   restart or a failed answer. One entry per (scope, value): the block that ends last; a removal
//   only when no open block of the host still covers the value; a different end (escalation, a
//   longer or shorter block) = the value in `deleted` and in `new` of the same answer, because the
//   bouncer ignores a `new` for an address already in its set.
// - Nothing is stored until the answer was written (`commit`, from onResponse): what the bouncer
//   holds, the deliveries' added_at/removed_at marks and the host's last pull.
//
// Until-released blocks are sent for CAP (ipset refuses a timeout above 2^31-1 ms) and sent again
// before half of it has run out.
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/database.js';
import type { BlockRow } from '../active-response/blocks.repository.js';
import type { HostsRepository } from '../hosts/hosts.repository.js';
import { goDuration } from './go-duration.js';

/** The longest ban sent: 596 h, under ipset's maximum timeout (2147483 s). */
export const CAP_MS = 596 * 3600_000;
/** An end that differs from what the bouncer holds by more than this is sent again. */
const TOLERANCE_MS = 2000;
/** A block ending sooner than this is not sent (the bouncer's own timeout ends it). */
const MIN_REMAINING_MS = 500;
/** An answer not committed after this long is given up (the next poll diffs everything). */
const INFLIGHT_MS = 60_000;

/** Block states a host's bouncer enforces: decided and not yet ended (a releasing block ends when its delete is done). */
const OPEN = new Set(['pending', 'active', 'releasing']);

export interface Decision {
  id: number;
  origin: string;
  type: string;
  scope: string;
  value: string;
  duration: string;
  scenario: string;
  simulated: boolean;
  until?: string;
}

export interface StreamFilters {
  /** Lower-case scopes the bouncer asks for (default ip, range). */
  scopes: string[];
  origins: string[] | null;
  scenariosContaining: string[];
  scenariosNotContaining: string[];
}

export const DEFAULT_FILTERS: StreamFilters = { scopes: ['ip', 'range'], origins: null, scenariosContaining: [], scenariosNotContaining: [] };

interface Candidate {
  block_id: number;
  host_id: number;
  added_at: number | null;
  ip: string;
  state: string;
  expires_at: number | null;
  rule_id: number | null;
  origin: string;
}

interface Sent {
  scope: string;
  value: string;
  block_id: number;
  until: number;
}

interface Want {
  blockId: number;
  scope: string;
  value: string;
  /** The block's end, ms; Infinity = until released. */
  end: number;
  scenario: string;
}

interface HostState {
  /** Diff every value on the next poll (server start, a failed answer). */
  full: boolean;
  dirty: Set<string>;
  /** When an until-released value sent for CAP is due to be sent again. */
  refreshAt: number;
  /** The answer written but not yet committed. */
  inflight: { token: number; since: number } | null;
}

export interface StreamAnswer {
  body: { new: Decision[] | null; deleted: Decision[] | null };
  /** Stores what this answer told the bouncer; call once it has been written. */
  commit(now: number): void;
  /** The answer was not written: the next poll diffs everything. */
  abandon(): void;
}

const key = (scope: string, value: string): string => `${scope}\u0000${value}`;

export function scopeOf(value: string): 'Ip' | 'Range' {
  return value.includes('/') ? 'Range' : 'Ip';
}

function scenarioOf(c: Candidate): string {
  return c.rule_id !== null ? `portcullis/rule-${c.rule_id}` : `portcullis/${c.origin}`;
}

function passes(f: StreamFilters, scope: string, scenario: string): boolean {
  if (!f.scopes.includes(scope.toLowerCase())) return false;
  if (f.origins !== null && !f.origins.includes('portcullis')) return false;
  if (f.scenariosContaining.length > 0 && !f.scenariosContaining.some((s) => scenario.includes(s))) return false;
  if (f.scenariosNotContaining.some((s) => scenario.includes(s))) return false;
  return true;
}

export class DecisionStream {
  readonly #db: Db;
  readonly #hosts: HostsRepository;
  readonly #states = new Map<number, HostState>();
  readonly #all: Statement;
  readonly #ofIp: Statement;
  readonly #sentAll: Statement;
  readonly #sentOne: Statement;
  readonly #sentPut: Statement;
  readonly #sentDel: Statement;
  readonly #sentClear: Statement;
  readonly #added: Statement;
  readonly #removed: Statement;
  readonly #hostsOf: Statement;
  #token = 0;

  constructor(db: Db, hosts: HostsRepository) {
    this.#db = db;
    this.#hosts = hosts;
    const cols = 'd.block_id, d.host_id, d.added_at, b.ip, b.state, b.expires_at, b.rule_id, b.origin';
    this.#all = db.prepare(`SELECT ${cols} FROM block_deliveries d JOIN blocks b ON b.id = d.block_id
      WHERE d.host_id = ? AND d.removed_at IS NULL AND b.ip IS NOT NULL`);
    this.#ofIp = db.prepare(`SELECT ${cols} FROM blocks b JOIN block_deliveries d ON d.block_id = b.id AND d.host_id = ?
      WHERE b.ip = ? AND d.removed_at IS NULL`);
    this.#sentAll = db.prepare('SELECT scope, value, block_id, until FROM bouncer_sent WHERE host_id = ?');
    this.#sentOne = db.prepare('SELECT scope, value, block_id, until FROM bouncer_sent WHERE host_id = ? AND scope = ? AND value = ?');
    this.#sentPut = db.prepare(`INSERT INTO bouncer_sent (host_id, scope, value, block_id, until) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (host_id, scope, value) DO UPDATE SET block_id = excluded.block_id, until = excluded.until`);
    this.#sentDel = db.prepare('DELETE FROM bouncer_sent WHERE host_id = ? AND scope = ? AND value = ?');
    this.#sentClear = db.prepare('DELETE FROM bouncer_sent WHERE host_id = ?');
    this.#added = db.prepare('UPDATE block_deliveries SET added_at = ? WHERE block_id = ? AND host_id = ? AND added_at IS NULL');
    this.#removed = db.prepare('UPDATE block_deliveries SET removed_at = ? WHERE block_id = ? AND host_id = ? AND removed_at IS NULL');
    this.#hostsOf = db.prepare('SELECT host_id FROM block_deliveries WHERE block_id = ?').pluck();
  }

  #state(hostId: number): HostState {
    let s = this.#states.get(hostId);
    if (!s) this.#states.set(hostId, (s = { full: true, dirty: new Set(), refreshAt: Infinity, inflight: null }));
    return s;
  }

  /** A block changed (committed): its address is to be looked at again for each of its hosts. */
  blockChanged(row: BlockRow): void {
    if (row.ip === null) return;
    for (const hostId of this.#hostsOf.all(row.id) as number[]) {
      const s = this.#states.get(hostId);
      if (s) s.dirty.add(row.ip);
    }
  }

  /** The decisions in force for a host now (GET /v1/decisions), one per value. */
  current(hostId: number, now: number, filters: StreamFilters = DEFAULT_FILTERS): Decision[] {
    const wants = this.#wants(this.#all.all(hostId) as Candidate[], now, filters).wants;
    return [...wants.values()].map((w) => this.#decision(w, now));
  }

  /** The answer to one stream poll. */
  answer(hostId: number, startup: boolean, now: number, filters: StreamFilters = DEFAULT_FILTERS): StreamAnswer {
    const st = this.#state(hostId);
    if (st.inflight !== null && now - st.inflight.since < INFLIGHT_MS && !startup) {
      // Polls of one bouncer come one after another; a second one while an answer is being written
      // gets nothing (its changes come with the next poll).
      return { body: { new: null, deleted: null }, commit: () => undefined, abandon: () => undefined };
    }
    const token = ++this.#token;
    st.inflight = { token, since: now };
    const full = startup || st.full || now >= st.refreshAt;
    const dirty = full ? null : [...st.dirty];
    st.dirty = new Set();
    st.full = false;

    const candidates = full ? (this.#all.all(hostId) as Candidate[]) : dirty!.flatMap((ip) => this.#ofIp.all(hostId, ip) as Candidate[]);
    const { wants, added, removed } = this.#wants(candidates, now, filters);
    const sent = new Map<string, Sent>();
    if (startup) {
      // what the bouncer holds is replaced as a whole
    } else if (full) {
      for (const s of this.#sentAll.all(hostId) as Sent[]) sent.set(key(s.scope, s.value), s);
    } else {
      for (const ip of dirty!) {
        const s = this.#sentOne.get(hostId, scopeOf(ip), ip) as Sent | undefined;
        if (s) sent.set(key(s.scope, s.value), s);
      }
    }

    const news: Decision[] = [];
    const deleted: Decision[] = [];
    const puts: Sent[] = [];
    const dels: Sent[] = [];
    const keys = new Set([...wants.keys(), ...sent.keys()]);
    let refreshAt = full ? Infinity : st.refreshAt;
    const capped = (w: Want): boolean => w.end === Infinity || w.end - now > CAP_MS;
    const send = (w: Want): void => {
      news.push(this.#decision(w, now));
      const until = Math.min(w.end, now + CAP_MS);
      puts.push({ scope: w.scope, value: w.value, block_id: w.blockId, until });
      if (capped(w)) refreshAt = Math.min(refreshAt, until - CAP_MS / 2);
    };
    const unsend = (s: Sent): void => {
      deleted.push({ id: s.block_id, origin: 'portcullis', type: 'ban', scope: s.scope, value: s.value, duration: goDuration(s.until - now), scenario: 'portcullis', simulated: false });
    };
    for (const k of keys) {
      const w = wants.get(k);
      const s = sent.get(k);
      if (startup) {
        if (w) send(w);
      } else if (w && s) {
        if (this.#resend(w, s, now)) {
          unsend(s); // deleted first, then new: the bouncer ignores a new end for an address it holds
          send(w);
        } else if (capped(w)) refreshAt = Math.min(refreshAt, s.until - CAP_MS / 2);
      } else if (s) {
        unsend(s);
        dels.push(s);
      } else if (w) send(w);
    }

    return {
      body: { new: news.length > 0 ? news : null, deleted: deleted.length > 0 ? deleted : null },
      commit: (at: number) => {
        if (st.inflight?.token !== token) return;
        st.inflight = null;
        this.#db.transaction(() => {
          if (startup) this.#sentClear.run(hostId);
          for (const s of dels) this.#sentDel.run(hostId, s.scope, s.value);
          for (const p of puts) this.#sentPut.run(hostId, p.scope, p.value, p.block_id, p.until);
          for (const id of added) this.#added.run(at, id, hostId);
          for (const id of removed) this.#removed.run(at, id, hostId);
        })();
        st.refreshAt = refreshAt;
      },
      abandon: () => {
        if (st.inflight?.token !== token) return;
        st.inflight = null;
        st.full = true;
      },
    };
  }

  #resend(w: Want, s: Sent, now: number): boolean {
    if (w.end === Infinity || w.end - now > CAP_MS) return s.until - now < CAP_MS / 2;
    return Math.abs(s.until - w.end) > TOLERANCE_MS;
  }

  /** The value → block that ends last, among a host's open deliveries; and which deliveries this answer settles. */
  #wants(candidates: Candidate[], now: number, f: StreamFilters): { wants: Map<string, Want>; added: number[]; removed: number[] } {
    const wants = new Map<string, Want>();
    const added: number[] = [];
    const removed: number[] = [];
    for (const c of candidates) {
      if (!OPEN.has(c.state)) {
        removed.push(c.block_id);
        continue;
      }
      const scope = scopeOf(c.ip);
      const scenario = scenarioOf(c);
      if (!passes(f, scope, scenario)) continue;
      const end = c.expires_at ?? Infinity;
      if (end - now < MIN_REMAINING_MS) continue; // due: the timer ends it, the bouncer's timeout too
      if (c.added_at === null) added.push(c.block_id);
      const k = key(scope, c.ip);
      const cur = wants.get(k);
      if (!cur || end > cur.end) wants.set(k, { blockId: c.block_id, scope, value: c.ip, end, scenario });
    }
    return { wants, added, removed };
  }

  #decision(w: Want, now: number): Decision {
    const until = Math.min(w.end, now + CAP_MS);
    return {
      id: w.blockId, origin: 'portcullis', type: 'ban', scope: w.scope, value: w.value, duration: goDuration(until - now),
      scenario: w.scenario, simulated: false, until: new Date(until).toISOString(),
    };
  }

  /** Forgets a host's in-memory state (revoked, or tests). */
  forget(hostId: number): void {
    this.#states.delete(hostId);
  }

  get hosts(): HostsRepository {
    return this.#hosts;
  }
}
