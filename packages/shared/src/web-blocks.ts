// Blocks as the dashboard needs them (issue 3/4 contract): the block state machine, release with a
// reason and grace period, manual blocks, script runs, one timeline per IP, and the live event.
// Written from the web side; the server implements these routes (move into blocks.ts when it does).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { PageQuery } from './common.js';

export const BLOCK_STATES = ['pending', 'active', 'releasing', 'released', 'expired', 'failed', 'refused'] as const;
export const BlockState = Type.Union(BLOCK_STATES.map((s) => Type.Literal(s)));
export type BlockState = Static<typeof BlockState>;

/** States of a block that is, or is about to be, enforced. */
export const OPEN_BLOCK_STATES: readonly BlockState[] = ['pending', 'active', 'releasing'];

function Nullable<T extends TSchema>(t: T) {
  return Type.Union([t, Type.Null()]);
}

export const Block = Type.Object({
  id: Type.Integer(),
  ip: Type.String(),
  /** `<command>` name, e.g. `firewall-drop`. */
  command: Type.String(),
  /** Rule that triggered it; null for a manual block. */
  rule_id: Nullable(Type.Integer()),
  alert_id: Nullable(Type.Integer()),
  state: BlockState,
  created_at: Type.String(),
  /** When the timer runs `delete`; null when the block has no timeout. */
  expires_at: Nullable(Type.String()),
  released_at: Nullable(Type.String()),
  /** User who released it early; null when it expired or is still open. */
  released_by: Nullable(Type.String()),
  /** Release reason, manual-block reason, refusal reason (white list, protected address) or script failure. */
  reason: Nullable(Type.String()),
  /** Escalation step (1 = first offence; repeated_offenders lengthen later ones). */
  offense: Type.Integer({ minimum: 1 }),
  /** Whether enforcement was checked and found in place; null when not (yet) checked. */
  verified: Nullable(Type.Boolean()),
  /** Set when a check found the firewall no longer matches the block (rule removed by hand). */
  drift: Type.Optional(Type.Boolean()),
  /** User who created a manual block. */
  created_by: Type.Optional(Nullable(Type.String())),
  /** Grace period after an early release: until then the same rule does not re-block this address. */
  grace_until: Type.Optional(Nullable(Type.String())),
});
export type Block = Static<typeof Block>;

export const BlockQuery = Type.Composite([
  PageQuery,
  Type.Object({
    /** One state or a comma-separated list, e.g. `pending,active,releasing`. */
    state: Type.Optional(Type.String({ pattern: `^(${BLOCK_STATES.join('|')})(,(${BLOCK_STATES.join('|')}))*$` })),
    ip: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    command: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    rule_id: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
]);
export type BlockQuery = Static<typeof BlockQuery>;

/** `POST /api/blocks`: a manual block (responder). */
export const BlockCreate = Type.Object({
  ip: Type.String({ minLength: 2, maxLength: 100 }),
  /** Seconds; 0 = until released. */
  duration: Type.Integer({ minimum: 0, maximum: 365 * 86_400 }),
  reason: Type.String({ minLength: 1, maxLength: 500 }),
  /** `<command>` to run; default: the first command bound to a blocking response. */
  command: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
export type BlockCreate = Static<typeof BlockCreate>;

/** `POST /api/blocks/:id/release` (responder). */
export const BlockRelease = Type.Object({
  reason: Type.String({ minLength: 1, maxLength: 500 }),
  /** Seconds during which the same rule may not block this address again. */
  grace_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400 })),
});
export type BlockRelease = Static<typeof BlockRelease>;

/** One run of an active-response script, as stored. */
export const ScriptRun = Type.Object({
  id: Type.Integer(),
  block_id: Type.Integer(),
  action: Type.Union([Type.Literal('add'), Type.Literal('delete')]),
  argv: Type.Array(Type.String()),
  exit_code: Nullable(Type.Integer()),
  stdout: Type.String(),
  stderr: Type.String(),
  duration_ms: Type.Integer(),
  started_at: Type.String(),
});
export type ScriptRun = Static<typeof ScriptRun>;

/** `GET /api/blocks/:id`: the block and every script run for it. */
export const BlockDetail = Type.Composite([Block, Type.Object({ runs: Type.Array(ScriptRun) })]);
export type BlockDetail = Static<typeof BlockDetail>;

export const TIMELINE_KINDS = ['alert', 'block', 'release', 'expire', 'refuse', 'fail', 'script'] as const;
export const IpTimelineEvent = Type.Object({
  time: Type.String(),
  kind: Type.Union(TIMELINE_KINDS.map((k) => Type.Literal(k))),
  /** One line a person reads: "Rule 5716 (level 5): sshd authentication failed". */
  summary: Type.String(),
  alert_id: Type.Optional(Nullable(Type.Integer())),
  block_id: Type.Optional(Nullable(Type.Integer())),
  rule_id: Type.Optional(Nullable(Type.Integer())),
  level: Type.Optional(Nullable(Type.Integer())),
  actor: Type.Optional(Nullable(Type.String())),
});
export type IpTimelineEvent = Static<typeof IpTimelineEvent>;

/** `GET /api/ips/:ip`: everything known about one address, newest first. */
export const IpTimeline = Type.Object({
  ip: Type.String(),
  first_seen: Nullable(Type.String()),
  last_seen: Nullable(Type.String()),
  alert_count: Type.Integer(),
  /** The open block, if any. */
  current: Nullable(Block),
  /** Whether the white list or admin protection covers it (and which entry). */
  whitelisted: Nullable(Type.String()),
  blocks: Type.Array(Block),
  events: Type.Array(IpTimelineEvent),
});
export type IpTimeline = Static<typeof IpTimeline>;

/** Live event `block`: a block was created or changed state; the whole block as it is now. */
export interface LiveBlockChange {
  block: Block;
}
