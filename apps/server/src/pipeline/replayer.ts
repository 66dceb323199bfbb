// "Would this block, and when?": lines through an engine and the config's active responses on the
// lines' own time, running no script. The same decisions the server makes (the engine's binding,
// request check, white list and execd's timeout list with repeated offenders), counted instead of
// run. Used by `portcullis replay` (a file) and the dashboard's log test (pasted lines).
import type { ArBinding, Dialect, Engine, Event, ProcessResult, WhiteList } from '@portcullis/engine';
import { TimeoutList, arTarget, canonicalIp, checkArRequest, isRefusal } from '@portcullis/engine';

export interface ReplayBlock {
  ip: string;
  at: string;
  rule_id: number;
  command: string;
  timeout: number;
  release_at: string | null;
  /** The input line that triggered it (1-based), when lines are numbered. */
  line?: number;
}

export interface ReplayRefusal {
  ip: string;
  at: string;
  rule_id: number;
  reason: string;
}

export interface ReplayerOptions {
  dialect: Dialect;
  /** Rule id → its active responses (bindActiveResponses). */
  bound: Map<number, ArBinding[]>;
  whiteList: WhiteList;
  /** Built-in protection (loopback, this host, signed-in admins): why `ip` is protected, or null. */
  protect?: (ip: string) => string | null;
  /** Refusals kept in `refused` (all are counted in `refusedByKind`). Default 1000. */
  maxRefusals?: number;
}

/** ISO 8601 with the local offset, e.g. 2024-03-04T18:13:23+00:00. */
export function isoLocal(seconds: number): string {
  const d = new Date(seconds * 1000);
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, 19);
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
/** 10000-01-01T00:00:00Z: `toISOString` writes later years with six digits. */
const YEAR_10000 = 253_402_300_800;

/**
 * `isoLocal` for the many times of one replay: the zone offset remembered per UTC hour (when it is
 * a whole number of minutes and the same at both ends of the hour) and the date per local day, a
 * few of each (a block's time and its release alternate between hours). Per replay, not per
 * process: a test may change TZ between two.
 */
export class IsoLocalClock {
  /** UTC hour → [offset in seconds, "+hh:mm"], or null when the offset changes within the hour. */
  readonly #zones = new Map<number, [number, string] | null>();
  /** Local day → "YYYY-MM-DDT". */
  readonly #dates = new Map<number, string>();

  format(seconds: number): string {
    if (!Number.isInteger(seconds)) return isoLocal(seconds);
    const hour = Math.floor(seconds / 3600);
    let zone = this.#zones.get(hour);
    if (zone === undefined) {
      const off = -new Date(hour * 3_600_000).getTimezoneOffset();
      const steady = Number.isInteger(off) && off === -new Date(hour * 3_600_000 + 3_599_000).getTimezoneOffset();
      zone = steady ? [off * 60, isoLocal(hour * 3600).slice(19)] : null;
      if (this.#zones.size >= 64) this.#zones.clear();
      this.#zones.set(hour, zone);
    }
    if (zone === null) return isoLocal(seconds);
    const local = seconds + zone[0];
    if (local < 0 || local >= YEAR_10000) return isoLocal(seconds);
    const day = Math.floor(local / 86_400);
    let date = this.#dates.get(day);
    if (date === undefined) {
      date = new Date(day * 86_400_000).toISOString().slice(0, 11);
      if (this.#dates.size >= 64) this.#dates.clear();
      this.#dates.set(day, date);
    }
    const inDay = local - day * 86_400;
    const h = Math.floor(inDay / 3600);
    const m = Math.floor((inDay - h * 3600) / 60);
    return `${date}${TWO_DIGITS[h]!}:${TWO_DIGITS[m]!}:${TWO_DIGITS[inDay - h * 3600 - m * 60]!}${zone[1]}`;
  }
}

export class Replayer {
  lines = 0;
  /** Alerts by rule id, counted in a Map (an object keyed by rule id was the replay's hottest line). */
  readonly #alerts = new Map<number, number>();
  readonly blocks: ReplayBlock[] = [];
  readonly refused: ReplayRefusal[] = [];
  readonly refusedByKind: Record<string, number> = {};
  /** Responses bound to agents (location defined-agent/all): not counted, there are no agents. */
  agentOnly = 0;
  readonly #timeouts = new TimeoutList();
  readonly #open = new Map<string, ReplayBlock>();
  readonly #iso = new IsoLocalClock();

  /** Alerts by rule id (keys in the order an object keyed by them has). */
  get alerts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, n] of this.#alerts) out[id] = n;
    return out;
  }

  constructor(
    readonly engine: Engine,
    private readonly o: ReplayerOptions,
  ) {}

  /**
   * Runs one input line at `time` (seconds) and returns the engine's results for it. `ascii`, `at`:
   * the line's bytes when it is ASCII (Engine.processLine).
   */
  feed(line: string, location: string, time: number, lineNo?: number, ascii: Uint8Array | null = null, at = 0): ProcessResult[] {
    this.#advance(time);
    const out = this.engine.processLine(line, location, time, ascii, at);
    for (const r of out) this.#respond(r, time, lineNo);
    return out;
  }

  /**
   * `feed` for a line whose event another engine of the same ruleset decoded (replay's reader
   * thread): `ev` is evaluated here; null: the line is processed whole, as by `feed`.
   */
  feedDecoded(line: string, location: string, time: number, ev: Event | null): void {
    if (ev === null) {
      this.feed(line, location, time);
      return;
    }
    this.#advance(time);
    this.#respond(this.engine.evaluate(ev), time, undefined);
  }

  /** A line comes in at `time`: counted, and the blocks due by then are released. */
  #advance(time: number): void {
    this.lines++;
    // By index: an iterator per line was most of what the main thread allocated besides events.
    const due = this.#timeouts.due(time);
    for (let i = 0; i < due.length; i++) this.#open.delete(due[i]!.key);
  }

  #refuse(kind: string, ip: string | null, time: number, ruleId: number, reason: string): void {
    this.refusedByKind[kind] = (this.refusedByKind[kind] ?? 0) + 1;
    if (this.refused.length < (this.o.maxRefusals ?? 1000)) this.refused.push({ ip: ip ?? '', at: this.#iso.format(time), rule_id: ruleId, reason });
  }

  #respond(r: ProcessResult, time: number, lineNo: number | undefined): void {
    if (!r.alert && !(r.alertRule && r.alertRule.options.has('no_log'))) return;
    const rule = r.alertRule!;
    if (r.alert) this.#alerts.set(rule.id, (this.#alerts.get(rule.id) ?? 0) + 1);
    const bound = this.o.bound.get(rule.id);
    if (bound === undefined) return;
    for (const b of bound) {
      if (arTarget(b.location) !== 'local') {
        this.agentOnly++;
        continue;
      }
      const req = checkArRequest(r, b, this.o.whiteList, this.o.dialect);
      if (isRefusal(req)) {
        const srcip = r.event.srcip ?? null;
        if (req.kind === 'white-listed') this.#refuse(req.kind, req.ip, time, rule.id, `white list (${req.entry})`);
        else if (req.kind === 'missing-field') this.#refuse(req.kind, srcip, time, rule.id, `the event has no ${req.field}`);
        else if (req.kind === 'bad-srcip') this.#refuse(req.kind, canonicalIp(req.value) ?? req.value, time, rule.id, `srcip ${JSON.stringify(req.value)} ${req.reason}`);
        else this.#refuse(req.kind, srcip, time, rule.id, `unsafe value "${req.value}"`);
        continue;
      }
      if (req.ip === null) continue;
      const why = this.o.protect?.(req.ip) ?? null;
      if (why !== null) {
        this.#refuse('protected', req.ip, time, rule.id, why);
        continue;
      }
      const d = this.#timeouts.request(req, time);
      if (d.action === 'extend') {
        const blk = this.#open.get(d.entry.key);
        if (blk) {
          blk.release_at = this.#iso.format(d.entry.releaseAt);
          blk.timeout = d.timeout;
        }
        continue;
      }
      const blk: ReplayBlock = { ip: req.ip, at: this.#iso.format(time), rule_id: rule.id, command: b.command.name, timeout: d.timeout, release_at: d.entry ? this.#iso.format(d.entry.releaseAt) : null };
      if (lineNo !== undefined) blk.line = lineNo;
      this.blocks.push(blk);
      if (d.entry) this.#open.set(d.entry.key, blk);
    }
  }
}
