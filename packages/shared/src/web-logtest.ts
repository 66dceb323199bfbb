// Log test from the dashboard: the three phases for pasted lines, and the replay's "would this
// block, and when?" for the whole paste, against the live ruleset or a draft of one file.
// Written from the web side (issue 5); the server implements `POST /api/logtest` (viewer; a draft:
// admin), in a worker thread with a time and memory limit.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { RulesetDraft } from './web-rules.js';

function Nullable<T extends TSchema>(t: T) {
  return Type.Union([t, Type.Null()]);
}

/**
 * What one log test may ask for. The server answers 413 naming the line and the limit; the line
 * limit is OSSEC's cut (a longer line would be several events). `bodyBytes` is the whole request.
 */
export const LOGTEST_LIMITS = {
  lines: 1000,
  lineBytes: 6135,
  bodyBytes: 2 * 1024 * 1024,
} as const;

export const LogtestRequest = Type.Object({
  /** At most LOGTEST_LIMITS.lines lines of LOGTEST_LIMITS.lineBytes bytes (checked by the server). */
  lines: Type.Array(Type.String(), { minItems: 1 }),
  /** Compile with this draft in place of the file of the same path (nothing is saved). Admins only. */
  draft: Type.Optional(RulesetDraft),
  /** `now` (default): reception time; `log`: each line's syslog timestamp (needed for replay timing). */
  time: Type.Optional(Type.Union([Type.Literal('now'), Type.Literal('log')])),
  year: Type.Optional(Type.Integer({ minimum: 1970, maximum: 2100 })),
});
export type LogtestRequest = Static<typeof LogtestRequest>;

export const LogtestLine = Type.Object({
  /** 1-based line number in the paste. */
  line: Type.Integer(),
  input: Type.String(),
  /** False for a line the engine skips (empty, too long): no phases. */
  processed: Type.Boolean(),
  predecode: Type.Object({
    timestamp: Nullable(Type.String()),
    hostname: Nullable(Type.String()),
    program_name: Nullable(Type.String()),
    log: Type.String(),
  }),
  decode: Type.Object({
    decoder: Nullable(Type.String()),
    parent: Nullable(Type.String()),
    fields: Type.Record(Type.String(), Type.String()),
  }),
  /** The rule that matched last (null when none did). */
  rule: Nullable(Type.Object({
    id: Type.Integer(),
    level: Type.Integer(),
    description: Type.String(),
    groups: Type.Array(Type.String()),
    /** Rule ids from the root to this rule. */
    chain: Type.Array(Type.Integer()),
    /** Which correlation fired it ("frequency 5 in 600 s"), when one did. */
    correlation: Type.Optional(Nullable(Type.String())),
  })),
  alert: Type.Boolean(),
});
export type LogtestLine = Static<typeof LogtestLine>;

/** One block the replay would issue (same as `portcullis replay --json`). */
export const ReplayBlock = Type.Object({
  ip: Type.String(),
  at: Type.String(),
  rule_id: Type.Integer(),
  command: Type.String(),
  timeout: Type.Integer(),
  release_at: Nullable(Type.String()),
  /** Line of the paste that triggered it. */
  line: Type.Optional(Type.Integer()),
});
export type ReplayBlock = Static<typeof ReplayBlock>;

export const ReplayRefusal = Type.Object({
  ip: Type.String(),
  at: Type.String(),
  rule_id: Type.Integer(),
  reason: Type.String(),
});
export type ReplayRefusal = Static<typeof ReplayRefusal>;

export const LogtestResponse = Type.Object({
  ruleset: Type.Union([Type.Literal('live'), Type.Literal('draft')]),
  results: Type.Array(LogtestLine),
  replay: Type.Object({
    lines: Type.Integer(),
    /** Alerts per rule id. */
    alerts: Type.Record(Type.String(), Type.Integer()),
    blocks: Type.Array(ReplayBlock),
    refused: Type.Array(ReplayRefusal),
  }),
});
export type LogtestResponse = Static<typeof LogtestResponse>;
// A draft that does not compile answers 422 with RulesetValidation.
