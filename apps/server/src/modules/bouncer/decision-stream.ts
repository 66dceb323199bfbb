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

/** A host's open delivery, as the raw row of CANDIDATE_COLS (arrays, not objects: a startup reads 10,000s). */
type Candidate = [blockId: number, addedAt: number | null, ip: string, state: string, expiresAt: number | null, ruleId: number | null, origin: string];
const CANDIDATE_COLS = 'd.block_id, d.added_at, b.ip, b.state, b.expires_at, b.rule_id, b.origin';

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
  /** The answer as written to the bouncer. */
  json: string;
  /** The same, parsed (tests, callers that look inside). */
  readonly body: { new: Decision[] | null; deleted: Decision[] | null };
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
  return c[5] !== null ? `portcullis/rule-${c[5]}` : `portcullis/${c[6]}`;
}

/** One decision as JSON text, the same as JSON.stringify of #decision's object (built directly: a startup answer has 10,000s). */
function decisionJson(id: number, scope: string, value: string, duration: string, scenario: string, until: number): string {
  return `{"id":${id},"origin":"portcullis","type":"ban","scope":"${scope}","value":${JSON.stringify(value)},"duration":"${duration}","scenario":${JSON.stringify(scenario)},"simulated":false,"until":"${new Date(until).toISOString()}"}`;
}

function answerOf(json: string, commit: (now: number) => void, abandon: () => void): StreamAnswer {
  let body: StreamAnswer['body'] | undefined;
  return { json, get body() { return (body ??= JSON.parse(json) as StreamAnswer['body']); }, commit, abandon };
}

const NOTHING = '{"new":null,"deleted":null}';

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
  readonly #sentStale: Statement;
  readonly #added: Statement;
  readonly #removed: Statement;
  readonly #hostsOf: Statement;
  #token = 0;

  constructor(db: Db, hosts: HostsRepository) {
    this.#db = db;
    this.#hosts = hosts;
    this.#all = db.prepare(`SELECT ${CANDIDATE_COLS} FROM block_deliveries d JOIN blocks b ON b.id = d.block_id
      WHERE d.host_id = ? AND d.removed_at IS NULL AND b.ip IS NOT NULL`).raw(true);
    this.#ofIp = db.prepare(`SELECT ${CANDIDATE_COLS} FROM blocks b JOIN block_deliveries d ON d.block_id = b.id AND d.host_id = ?
      WHERE b.ip = ? AND d.removed_at IS NULL`).raw(true);
    this.#sentAll = db.prepare('SELECT scope, value, block_id, until FROM bouncer_sent WHERE host_id = ?');
    this.#sentOne = db.prepare('SELECT scope, value, block_id, until FROM bouncer_sent WHERE host_id = ? AND scope = ? AND value = ?');
    // One statement per answer whatever its size, from a JSON array of [scope, value, block id, until]
    // (a startup answer is 10,000s of rows); a row the bouncer already holds as is is not rewritten.
    this.#sentPut = db.prepare(`INSERT INTO bouncer_sent (host_id, scope, value, block_id, until)
      SELECT @host, value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(@rows) WHERE true
      ON CONFLICT (host_id, scope, value) DO UPDATE SET block_id = excluded.block_id, until = excluded.until
      WHERE block_id <> excluded.block_id OR until <> excluded.until`);
    this.#sentDel = db.prepare(`DELETE FROM bouncer_sent WHERE host_id = @host
      AND (scope, value) IN (SELECT value ->> 0, value ->> 1 FROM json_each(@rows))`);
    // startup: what the bouncer holds is exactly the answer; the rows it no longer holds go.
    this.#sentStale = db.prepare(`DELETE FROM bouncer_sent WHERE host_id = @host
      AND (scope, value) NOT IN (SELECT value ->> 0, value ->> 1 FROM json_each(@rows))`);
    this.#added = db.prepare(`UPDATE block_deliveries SET added_at = @at WHERE host_id = @host AND added_at IS NULL
      AND block_id IN (SELECT value FROM json_each(@ids))`);
    this.#removed = db.prepare(`UPDATE block_deliveries SET removed_at = @at WHERE host_id = @host AND removed_at IS NULL
      AND block_id IN (SELECT value FROM json_each(@ids))`);
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
      return answerOf(NOTHING, () => undefined, () => undefined);
    }
    const token = ++this.#token;
    st.inflight = { token, since: now };
    const full = startup || st.full || now >= st.refreshAt;
    const dirty = full ? null : [...st.dirty];
    st.dirty = new Set();
    st.full = false;
    const settle = (store: (at: number) => void, refreshAt: number): StreamAnswer['commit'] => (at: number) => {
      if (st.inflight?.token !== token) return;
      st.inflight = null;
      this.#db.transaction(store)(at);
      st.refreshAt = refreshAt;
    };
    const abandon = (): void => {
      if (st.inflight?.token !== token) return;
      st.inflight = null;
      st.full = true;
    };
    if (startup) {
      const s = this.#startup(this.#all.all(hostId) as Candidate[], now, filters);
      return answerOf(s.json, settle((at) => {
        this.#sentStale.run({ host: hostId, rows: s.sent });
        this.#sentPut.run({ host: hostId, rows: s.sent });
        if (s.added !== '[]') this.#added.run({ at, host: hostId, ids: s.added });
        if (s.removed !== '[]') this.#removed.run({ at, host: hostId, ids: s.removed });
      }, s.refreshAt), abandon);
    }

    const candidates = full ? (this.#all.all(hostId) as Candidate[]) : dirty!.flatMap((ip) => this.#ofIp.all(hostId, ip) as Candidate[]);
    const { wants, added, removed } = this.#wants(candidates, now, filters);
    const sent = new Map<string, Sent>();
    if (full) {
      for (const s of this.#sentAll.all(hostId) as Sent[]) sent.set(key(s.scope, s.value), s);
    } else {
      for (const ip of dirty!) {
        const s = this.#sentOne.get(hostId, scopeOf(ip), ip) as Sent | undefined;
        if (s) sent.set(key(s.scope, s.value), s);
      }
    }

    const news: Decision[] = [];
    const deleted: Decision[] = [];
    const puts: Array<[string, string, number, number]> = [];
    const dels: Array<[string, string]> = [];
    const keys = new Set([...wants.keys(), ...sent.keys()]);
    let refreshAt = full ? Infinity : st.refreshAt;
    const capped = (w: Want): boolean => w.end === Infinity || w.end - now > CAP_MS;
    const send = (w: Want): void => {
      news.push(this.#decision(w, now));
      const until = Math.min(w.end, now + CAP_MS);
      puts.push([w.scope, w.value, w.blockId, until]);
      if (capped(w)) refreshAt = Math.min(refreshAt, until - CAP_MS / 2);
    };
    const unsend = (s: Sent): void => {
      deleted.push({ id: s.block_id, origin: 'portcullis', type: 'ban', scope: s.scope, value: s.value, duration: goDuration(s.until - now), scenario: 'portcullis', simulated: false });
    };
    for (const k of keys) {
      const w = wants.get(k);
      const s = sent.get(k);
      if (w && s) {
        if (this.#resend(w, s, now)) {
          unsend(s); // deleted first, then new: the bouncer ignores a new end for an address it holds
          send(w);
        } else if (capped(w)) refreshAt = Math.min(refreshAt, s.until - CAP_MS / 2);
      } else if (s) {
        unsend(s);
        dels.push([s.scope, s.value]);
      } else if (w) send(w);
    }

    const body = { new: news.length > 0 ? news : null, deleted: deleted.length > 0 ? deleted : null };
    return answerOf(JSON.stringify(body), settle((at) => {
      if (dels.length > 0) this.#sentDel.run({ host: hostId, rows: JSON.stringify(dels) });
      if (puts.length > 0) this.#sentPut.run({ host: hostId, rows: JSON.stringify(puts) });
      if (added.length > 0) this.#added.run({ at, host: hostId, ids: JSON.stringify(added) });
      if (removed.length > 0) this.#removed.run({ at, host: hostId, ids: JSON.stringify(removed) });
    }, refreshAt), abandon);
  }

  /**
   * The startup answer: every value's longest open decision, written as JSON text directly, with
   * what the commit stores (as JSON for one statement each). No object per row: a bouncer that
   * restarts gets 10,000s of decisions and 50 of them may restart at once.
   */
  #startup(rows: Candidate[], now: number, f: StreamFilters): { json: string; sent: string; added: string; removed: string; refreshAt: number } {
    const best = new Map<string, number>(); // value → index of the row that ends last
    const ends: number[] = new Array<number>(rows.length);
    const added: number[] = [];
    const removed: number[] = [];
    const filtered = f.scopes.length !== 2 || f.origins !== null || f.scenariosContaining.length > 0 || f.scenariosNotContaining.length > 0
      || !f.scopes.includes('ip') || !f.scopes.includes('range');
    for (let i = 0; i < rows.length; i++) {
      const c = rows[i]!;
      if (!OPEN.has(c[3])) {
        removed.push(c[0]);
        continue;
      }
      if (filtered && !passes(f, scopeOf(c[2]), scenarioOf(c))) continue;
      const end = c[4] ?? Infinity;
      if (end - now < MIN_REMAINING_MS) continue;
      if (c[1] === null) added.push(c[0]);
      ends[i] = end;
      const cur = best.get(c[2]);
      if (cur === undefined || end > ends[cur]!) best.set(c[2], i);
    }
    const news: string[] = [];
    const sent: string[] = [];
    let refreshAt = Infinity;
    for (const i of best.values()) {
      const c = rows[i]!;
      const end = ends[i]!;
      const until = Math.min(end, now + CAP_MS);
      const scope = scopeOf(c[2]);
      news.push(decisionJson(c[0], scope, c[2], goDuration(until - now), scenarioOf(c), until));
      sent.push(`["${scope}",${JSON.stringify(c[2])},${c[0]},${until}]`);
      if (end === Infinity || end - now > CAP_MS) refreshAt = Math.min(refreshAt, until - CAP_MS / 2);
    }
    return {
      json: news.length > 0 ? `{"new":[${news.join(',')}],"deleted":null}` : NOTHING,
      sent: `[${sent.join(',')}]`, added: JSON.stringify(added), removed: JSON.stringify(removed), refreshAt,
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
      const [blockId, addedAt, ip, state, expiresAt] = c;
      if (!OPEN.has(state)) {
        removed.push(blockId);
        continue;
      }
      const scope = scopeOf(ip);
      const scenario = scenarioOf(c);
      if (!passes(f, scope, scenario)) continue;
      const end = expiresAt ?? Infinity;
      if (end - now < MIN_REMAINING_MS) continue; // due: the timer ends it, the bouncer's timeout too
      if (addedAt === null) added.push(blockId);
      const k = key(scope, ip);
      const cur = wants.get(k);
      if (!cur || end > cur.end) wants.set(k, { blockId, scope, value: ip, end, scenario });
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
