// The engine: a compiled ruleset plus correlation state. `process(line, location, time)` runs
// the stages predecode → decode → rules → correlation and returns what happened, with time
// passed in (no clock here), so logtest, replay and the server get the same answers.
import type { DecoderSet } from './decoders.js';
import { DecoderIndex, decode } from './decode.js';
import { loadDecoders } from './decoders.js';
import type { CorrelationRecord } from './correlation-record.js';
import { adoptCorrelation, restoreSnapshot, takeSnapshot, type CorrelationSnapshot, type RestoreResult } from './correlation-state.js';
import type { RulesetError} from './errors.js';
import { ErrorSink, RulesetLoadError } from './errors.js';
import type { EvalState } from './evaluate.js';
import { describe, handle, walkParent, walkRules } from './evaluate.js';
import { Event } from './event.js';
import { predecodeInto } from './predecode.js';
import { RecordList } from './record-list.js';
import type { Dialect } from './regex/pattern.js';
import type { Rule } from './rules.js';
import type { RuleTree } from './rule-tree.js';
import { loadRules } from './rule-tree.js';
import { parseLists } from './lists.js';
import { recordingVerdicts } from './regex/safety.js';
import { rememberVerdicts } from './ruleset-snapshot.js';
import type { EngineOptions, SourceFile } from './types.js';

export { parseLists };

export interface RulesetInput {
  /** Decoder files in load order. */
  decoders: SourceFile[];
  /** Rule files in load order. */
  rules: SourceFile[];
  /** CDB list sources (`key:value` per line), named as the config's <list> and rules' <list> write them. */
  lists?: SourceFile[];
}

export interface CompiledRuleset {
  readonly dialect: Dialect;
  readonly decoders: DecoderSet;
  readonly tree: RuleTree;
  readonly warnings: RulesetError[];
}

/** Compiles a whole ruleset, or throws RulesetLoadError listing every error (never half-loads). */
export function compileRuleset(input: RulesetInput, options: Pick<EngineOptions, 'dialect' | 'defaultTimeframe' | 'sidPrevMatchedMax'>): CompiledRuleset {
  const { result, recorded } = recordingVerdicts(() => compile(input, options));
  rememberVerdicts(result, recorded);
  return result;
}

function compile(input: RulesetInput, options: Pick<EngineOptions, 'dialect' | 'defaultTimeframe' | 'sidPrevMatchedMax'>): CompiledRuleset {
  const sink = new ErrorSink();
  const decoders = loadDecoders(input.decoders, options.dialect, sink);
  const tree = loadRules(input.rules, decoders, {
    dialect: options.dialect,
    defaultTimeframe: options.defaultTimeframe ?? 360,
    lists: parseLists(input.lists ?? []),
    sidPrevMatchedMax: options.sidPrevMatchedMax ?? 128,
  }, sink);
  if (sink.errors.length > 0) throw new RulesetLoadError(sink.errors);
  return { dialect: options.dialect, decoders, tree, warnings: sink.warnings };
}

export interface ProcessResult {
  event: Event;
  /** The rule returned by the tree walk (level 0 included), or null. */
  rule: Rule | null;
  /** The rule alerted as (Wazuh's ignore may fall back to the parent), or null. */
  alertRule: Rule | null;
  alert: boolean;
  ignored: boolean;
  /** Description with `$(field)` substituted (Wazuh dialect), of alertRule ?? rule. */
  description: string | null;
}

const REPEATED = /^message repeated (\d+) times: \[ ?(.*?) ?\]$/;
const DEFAULT_MAX = 6135;

export class Engine {
  readonly dialect: Dialect;
  private readonly index: DecoderIndex;
  private readonly state: EvalState;
  private readonly logAlertLevel: number;
  private readonly localHostname: string | null;
  private readonly expandRepeated: boolean;
  readonly maxEventLength: number;
  /** Records of the events of a call that makes several (see `several`). */
  private marks: Map<Event, CorrelationRecord> | null = null;

  constructor(
    readonly ruleset: CompiledRuleset,
    options: Partial<EngineOptions> = {},
  ) {
    this.dialect = ruleset.dialect;
    this.index = new DecoderIndex(ruleset.decoders);
    this.logAlertLevel = options.logAlertLevel ?? 1;
    this.localHostname = options.localHostname ?? null;
    this.expandRepeated = options.expandRepeated ?? false;
    this.maxEventLength = options.maxEventLength ?? DEFAULT_MAX;
    // Correlation state lives on the compiled rules for speed: an engine takes the ruleset over
    // and starts from a clean state. Callers must not run two engines on one ruleset at once.
    for (const r of ruleset.tree.all) {
      r.timeIgnored = 0;
      r.firedTimes = 0;
      r.sidPrevMatched?.clear();
      r.ownGroupList?.clear();
    }
    this.state = {
      dialect: this.dialect,
      tree: ruleset.tree,
      history: new RecordList(Number.MAX_SAFE_INTEGER),
      memorySize: Math.max(2048, options.memorySize ?? 8192),
      fts: new Set(),
      ignored: new Set(),
      ignoreRearm: options.ignoreRearm ?? 'daemon',
    };
  }

  /**
   * Processes one event. With `expandRepeated`, a "message repeated N times: [ msg ]" line yields
   * N results. `processLine` also applies OSSEC's cut of over-long lines.
   */
  process(line: string, location: string, time: number, ascii: Uint8Array | null = null, at = 0): ProcessResult[] {
    const ev = this.newEvent(line, location, time, ascii, at);
    if (this.expandRepeated) {
      const m = REPEATED.exec(ev.log);
      if (m) {
        const n = Math.min(Number(m[1]), 1000);
        const inner = m[2]!;
        const header = ev.fullLog.slice(0, ev.fullLog.length - ev.log.length);
        return this.several(() => {
          const out: ProcessResult[] = [];
          for (let i = 0; i < n; i++) {
            const copy = new Event(header + inner, inner, location, time);
            copy.timestamp = ev.timestamp;
            copy.hostname = ev.hostname;
            copy.programName = ev.programName;
            out.push(this.run(copy));
          }
          return out;
        });
      }
    }
    return [this.run(ev)];
  }

  /**
   * Processes one input line as OSSEC does: cut into events of at most `maxEventLength` bytes
   * (chunks under 2 bytes dropped), each processed as by `process`. An empty result means the line
   * was skipped. `ascii`: when the line is all ASCII, the bytes it was read from (its characters
   * are `ascii[at]` …), for a faster pre-decoding (replay has them; nobody else need pass them).
   */
  processLine(line: string, location: string, time: number, ascii: Uint8Array | null = null, at = 0): ProcessResult[] {
    // A UTF-16 code unit is 1 to 3 UTF-8 bytes: most lines are known to be one event without
    // counting their bytes.
    if (line.length >= 2 && line.length * 3 <= this.maxEventLength) return this.process(line, location, time, ascii, at);
    const chunks = splitLongLine(line, this.maxEventLength);
    if (chunks.length === 1) return this.process(chunks[0]!, location, time);
    return this.several(() => {
      const out: ProcessResult[] = [];
      for (const chunk of chunks) out.push(...this.process(chunk, location, time));
      return out;
    });
  }

  /**
   * Runs the events of one call. Correlation marks records, not events: a later event of the call
   * may mark an earlier one's record, and the caller sees that mark on the earlier event.
   */
  private several(fn: () => ProcessResult[]): ProcessResult[] {
    if (this.marks !== null) return fn();
    const marks = (this.marks = new Map());
    try {
      const out = fn();
      for (const [ev, rec] of marks) ev.matched = rec.matched;
      return out;
    } finally {
      this.marks = null;
    }
  }

  /** Processes one event and returns its single result (no repeated-message expansion). */
  processOne(line: string, location: string, time: number): ProcessResult {
    return this.run(this.newEvent(line, location, time));
  }

  /** `ascii`: when the line is ASCII, its bytes (from `at`), which pre-decoding reads faster than its characters. */
  private newEvent(line: string, location: string, time: number, ascii: Uint8Array | null = null, at = 0): Event {
    const ev = predecodeInto(new Event(line, line, location, time), line, this.dialect, ascii, at);
    // Wazuh attributes an agent's event to the agent's name, whatever the syslog header says.
    const agent = agentName(location);
    ev.headerHostname = ev.hostname;
    ev.hostname = (this.dialect === 'wazuh' ? (agent ?? ev.hostname) : (ev.hostname ?? agent)) ?? this.localHostname;
    return ev;
  }

  /**
   * Pre-decodes and decodes `line` as `processLine` would, when the line makes exactly one event
   * (short enough not to be cut; with `expandRepeated`, not a repeated-message line): that Event,
   * for `evaluate`. Null: the line must go to `processLine`. Decoding keeps no state, so another
   * engine of the same ruleset may decode while this one evaluates (replay's reading thread).
   */
  decodeLine(line: string, location: string, time: number, ascii: Uint8Array | null = null, at = 0): Event | null {
    if (line.length < 2 || line.length * 3 > this.maxEventLength) return null;
    const ev = this.newEvent(line, location, time, ascii, at);
    if (this.expandRepeated && REPEATED.test(ev.log)) return null;
    decode(ev, this.index);
    return ev;
  }

  /** The rest of `processLine` for an event `decodeLine` made: rules, correlation, description. */
  evaluate(ev: Event): ProcessResult {
    const matched = walkRules(ev, this.state);
    const out: ProcessResult = { event: ev, rule: null, alertRule: null, alert: false, ignored: false, description: null };
    const record = handle(matched, walkParent(), ev, this.state, this.logAlertLevel, out);
    if (record !== null && this.marks !== null) this.marks.set(ev, record);
    const shown = out.alertRule ?? out.rule;
    if (shown !== null) out.description = this.describe(shown, ev);
    return out;
  }

  /** The copy of a program name that decoding gives events (the decoder index's, see `decode`). */
  programName(name: string): string {
    return this.index.entry(name).name;
  }

  private run(ev: Event): ProcessResult {
    decode(ev, this.index);
    return this.evaluate(ev);
  }

  private describe(rule: Rule, ev: Event): string {
    return describe(rule, ev, this.dialect);
  }

  /** Moves correlation state of unchanged rules (same source text) from an older engine. */
  adoptState(old: Engine): number {
    return adoptCorrelation(old.state, this.state);
  }

  /**
   * The correlation state as plain JSON-able data (alerted events, per-rule lists and windows),
   * for keeping it across a graceful restart. Take it when no event is being processed.
   */
  snapshotState(): CorrelationSnapshot {
    return takeSnapshot(this.state);
  }

  /**
   * Restores a snapshot into this engine, rule by rule: only rules with the same id and the same
   * source text (the identity hot reload uses) get their state back. Call it before processing.
   */
  restoreState(snapshot: CorrelationSnapshot): RestoreResult {
    return restoreSnapshot(this.state, snapshot);
  }
}

/** The agent name in an agent event's location: OSSEC "(name) ip->file", Wazuh "[001] (name) any->file". */
function agentName(location: string): string | null {
  let start = 0;
  if (location.charCodeAt(0) === 91) {
    // '['
    const close = location.indexOf('] ');
    if (close < 0) return null;
    start = close + 2;
  }
  if (location.charCodeAt(start) !== 40) return null; // '('
  const end = location.indexOf(')', start);
  return end > start + 1 ? location.slice(start + 1, end) : null;
}

/**
 * Splits a line into the events OSSEC makes of it: chunks of at most `max` bytes (UTF-8), each
 * chunk shorter than 2 bytes dropped. An empty result means the line is skipped.
 */
export function splitLongLine(line: string, max = DEFAULT_MAX): string[] {
  if (line.length <= max && Buffer.byteLength(line) <= max) return Buffer.byteLength(line) < 2 ? [] : [line];
  const buf = Buffer.from(line);
  const out: string[] = [];
  for (let i = 0; i < buf.length; i += max) {
    const chunk = buf.subarray(i, i + max);
    if (chunk.length >= 2) out.push(chunk.toString());
  }
  return out;
}
