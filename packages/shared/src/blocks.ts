// Blocks: the active-response state machine as the API and the live feed show it, manual blocks,
// releases with a reason and grace period, script runs, and one timeline per address. This is the
// contract the dashboard wrote (first as web-blocks.ts), implemented by the server, plus its extra fields.
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

export const DELIVERY_STATES = ['pending', 'delivered', 'removal-pending', 'removed'] as const;

/** One target host of a block (many hosts): whether its bouncer has pulled the decision, then its removal. */
export const BlockDelivery = Type.Object({
  name: Type.String(),
  /** pending: not pulled yet; delivered: in the bouncer's set; removal-pending: ended, removal not pulled yet; removed. */
  state: Type.Union(DELIVERY_STATES.map((s) => Type.Literal(s))),
  added_at: Nullable(Type.String()),
  removed_at: Nullable(Type.String()),
  /** The host's bouncer has not pulled for 3× its poll interval (or never). */
  stale: Type.Boolean(),
  /** Since when it is stale (its last pull + 3× its poll interval), ISO; null when not stale, never pulled or revoked. */
  stale_since: Nullable(Type.String()),
  last_pull_at: Nullable(Type.String()),
  revoked: Type.Boolean(),
});
export type BlockDelivery = Static<typeof BlockDelivery>;

/** Where a block is enforced: the server's own script, and each target host's bouncer. */
export const BlockTargets = Type.Object({
  server: Type.Boolean(),
  hosts: Type.Array(BlockDelivery),
  /** e.g. "enforced on 48/50 hosts, web7 stale since 10:02 UTC" (the dashboard writes its own, in local time, from `hosts`). */
  summary: Type.String(),
});
export type BlockTargets = Static<typeof BlockTargets>;

export const Block = Type.Object({
  id: Type.Integer(),
  /** The address (canonical text); `-` for a command run without one. */
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
  /** Whether enforcement was checked and found in place; null when not (yet) checked or the script has no `check`. */
  verified: Nullable(Type.Boolean()),
  /** Set when a check found the firewall no longer matches the block (rule removed by hand). */
  drift: Type.Optional(Type.Boolean()),
  /** Who created it: a user for a manual block, `rule N` for an alert. */
  created_by: Type.Optional(Nullable(Type.String())),
  /** Grace period after an early release: until then the same rule does not re-block this address. */
  grace_until: Type.Optional(Nullable(Type.String())),
  /** `alert` or `manual`. */
  origin: Type.Optional(Type.Union([Type.Literal('alert'), Type.Literal('manual')])),
  /** Seconds the block lasts from its last (re)start; 0 = until released. */
  timeout: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Alerts (or repeated refusals) folded into this row. */
  hits: Type.Optional(Type.Integer({ minimum: 1 })),
  updated_at: Type.Optional(Type.String()),
  /** The reason given when it was made (manual) or refused/failed, kept when `reason` becomes the release reason. */
  block_reason: Type.Optional(Nullable(Type.String())),
  release_reason: Type.Optional(Nullable(Type.String())),
  /** Where it is enforced (the list and the detail; absent in live events). */
  targets: Type.Optional(BlockTargets),
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
    /** A registered host's name: the blocks with a delivery to that host (a server-only block has none). */
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
  }),
]);
export type BlockQuery = Static<typeof BlockQuery>;

export const BlockPage = Type.Object({ items: Type.Array(Block), next: Nullable(Type.String()) });
export type BlockPage = Static<typeof BlockPage>;

export const BlockCreateTarget = Type.Union([Type.Literal('server'), Type.Literal('all'), Type.Literal('hosts')]);
export type BlockCreateTarget = Static<typeof BlockCreateTarget>;

/** `POST /api/blocks`: a manual block (responder). */
export const BlockCreate = Type.Object({
  ip: Type.String({ minLength: 2, maxLength: 100 }),
  /** Seconds; 0 = until released. */
  duration: Type.Integer({ minimum: 0, maximum: 365 * 86_400 }),
  reason: Type.String({ minLength: 1, maxLength: 500 }),
  /** `<command>` to run; default: the first command bound to a blocking response. */
  command: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  /**
   * Where it is enforced (as an alert's block with that <location>): `server` = the server's script
   * (default), `all` = every registered host's bouncer and the server, `hosts` = the named hosts' bouncers only.
   */
  target: Type.Optional(BlockCreateTarget),
  /** With target `hosts`: registered host names. */
  hosts: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 63 }), { maxItems: 1000 })),
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
  action: Type.Union([Type.Literal('add'), Type.Literal('delete'), Type.Literal('check')]),
  /** Arguments after the program (empty for a json-protocol run: the message is `stdin`). */
  argv: Type.Array(Type.String()),
  /** Null while it runs, when it could not start (see `error`), or when it was `interrupted`. */
  exit_code: Nullable(Type.Integer()),
  stdout: Type.String(),
  stderr: Type.String(),
  /** 0 while it runs. */
  duration_ms: Type.Integer(),
  started_at: Type.String(),
  command: Type.Optional(Type.String()),
  /** The resolved path that was run. */
  executable: Type.Optional(Type.String()),
  stdin: Type.Optional(Nullable(Type.String())),
  signal: Type.Optional(Nullable(Type.String())),
  timed_out: Type.Optional(Type.Boolean()),
  error: Type.Optional(Nullable(Type.String())),
  running: Type.Optional(Type.Boolean()),
  /** The server stopped (crash, kill, power loss) before the run ended: its outcome is unknown. */
  interrupted: Type.Optional(Type.Boolean()),
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
  /** The log line of an alert; the exit and output of a script run. */
  detail: Type.Optional(Nullable(Type.String())),
  run_id: Type.Optional(Nullable(Type.Integer())),
  /** An alert's registered host (the authenticated sender); null for the server's own logs. */
  host: Type.Optional(Nullable(Type.String())),
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

export const IpParams = Type.Object({ ip: Type.String({ minLength: 2, maxLength: 100 }) });
export type IpParams = Static<typeof IpParams>;

/** Live event `block`: a block was created or changed state; the whole block as it is now. */
export interface LiveBlockChange {
  block: Block;
}

export const BLOCK_EVENT = 'block' as const;
