// "Would this block, and when?": lines through an engine and the config's active responses on the
// lines' own time, running no script. The same decisions the server makes (the engine's binding,
// request check, white list and execd's timeout list with repeated offenders), counted instead of
// run. Used by `portcullis replay` (a file) and the dashboard's log test (pasted lines).
import type { ArBinding, Dialect, Engine, ProcessResult, WhiteList } from '@portcullis/engine';
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

export class Replayer {
  lines = 0;
  readonly alerts: Record<string, number> = {};
  readonly blocks: ReplayBlock[] = [];
  readonly refused: ReplayRefusal[] = [];
  readonly refusedByKind: Record<string, number> = {};
  /** Responses bound to agents (location defined-agent/all): not counted, there are no agents. */
  agentOnly = 0;
  readonly #timeouts = new TimeoutList();
  readonly #open = new Map<string, ReplayBlock>();

  constructor(
    readonly engine: Engine,
    private readonly o: ReplayerOptions,
  ) {}

  /** Runs one input line at `time` (seconds) and returns the engine's results for it. */
  feed(line: string, location: string, time: number, lineNo?: number): ProcessResult[] {
    this.lines++;
    for (const e of this.#timeouts.due(time)) this.#open.delete(e.key);
    const out = this.engine.processLine(line, location, time);
    for (const r of out) this.#respond(r, time, lineNo);
    return out;
  }

  #refuse(kind: string, ip: string | null, time: number, ruleId: number, reason: string): void {
    this.refusedByKind[kind] = (this.refusedByKind[kind] ?? 0) + 1;
    if (this.refused.length < (this.o.maxRefusals ?? 1000)) this.refused.push({ ip: ip ?? '', at: isoLocal(time), rule_id: ruleId, reason });
  }

  #respond(r: ProcessResult, time: number, lineNo: number | undefined): void {
    if (!r.alert && !(r.alertRule && r.alertRule.options.has('no_log'))) return;
    const rule = r.alertRule!;
    if (r.alert) this.alerts[rule.id] = (this.alerts[rule.id] ?? 0) + 1;
    for (const b of this.o.bound.get(rule.id) ?? []) {
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
          blk.release_at = isoLocal(d.entry.releaseAt);
          blk.timeout = d.timeout;
        }
        continue;
      }
      const blk: ReplayBlock = { ip: req.ip, at: isoLocal(time), rule_id: rule.id, command: b.command.name, timeout: d.timeout, release_at: d.entry ? isoLocal(d.entry.releaseAt) : null };
      if (lineNo !== undefined) blk.line = lineNo;
      this.blocks.push(blk);
      if (d.entry) this.#open.set(d.entry.key, blk);
    }
  }
}
