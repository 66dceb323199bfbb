// Log sources as the API reports them.
import { Type, type Static } from '@sinclair/typebox';
import { Readiness } from './readiness.js';

export const SourceInfo = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  target: Type.String(),
  state: Type.Union(['starting', 'running', 'waiting', 'failed', 'stopped'].map((s) => Type.Literal(s))),
  lines_read: Type.Integer(),
  last_error: Type.Union([Type.String(), Type.Null()]),
  last_error_at: Type.Union([Type.String(), Type.Null()]),
  /** Files currently followed, for a file source. */
  files: Type.Optional(Type.Array(Type.Object({ path: Type.String(), state: Type.String(), lines_read: Type.Integer() }))),
  /** Lines turned away, by reason (journald: `untrusted-identifier`; syslog: `sink-error`). */
  dropped: Type.Optional(Type.Record(Type.String(), Type.Integer())),
  /** The last few senders or processes turned away, newest first. */
  recent_drops: Type.Optional(Type.Array(Type.Object({ from: Type.String(), reason: Type.String(), count: Type.Integer(), last_at: Type.String() }))),
  /** Syslog: who may send, in words (<allowed-ips>/<denied-ips>, or local senders only). */
  access: Type.Optional(Type.String()),
  /** Syslog: senders refused, by reason (`not-allowed`, `denied`, `sender-limit`); TCP connections, UDP datagrams. */
  refused: Type.Optional(Type.Record(Type.String(), Type.Integer())),
  /** Syslog TCP: connections closed by us, by reason (`idle-timeout`, `first-byte-timeout`, `evicted`). */
  closed: Type.Optional(Type.Record(Type.String(), Type.Integer())),
  /** Syslog TCP: open connections. */
  connections: Type.Optional(Type.Integer()),
  /** Syslog: messages cut to the maximum size. */
  truncated: Type.Optional(Type.Integer()),
});
export type SourceInfo = Static<typeof SourceInfo>;

export const SourceList = Type.Object({ items: Type.Array(SourceInfo), next: Type.Null() });
export type SourceList = Static<typeof SourceList>;

/**
 * GET /api/health. Anyone gets `status` and `setup_required`; a signed-in viewer (or better) also
 * gets the details, which name paths and users and so are not for anonymous callers.
 */
export const Health = Type.Object({
  /** degraded: the database, the ruleset, a source, or readiness (an active response that cannot run) has an error. */
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  /** Set on a fresh install until the first admin exists. */
  setup_required: Type.Boolean(),
  version: Type.Optional(Type.String()),
  uptime_seconds: Type.Optional(Type.Number()),
  database: Type.Optional(Type.Object({ path: Type.String(), ok: Type.Boolean(), /** Why not ok (a full data disk), in words. */ error: Type.Optional(Type.Union([Type.String(), Type.Null()])) })),
  ruleset: Type.Optional(Type.Object({ ok: Type.Boolean(), rules: Type.Integer(), decoders: Type.Integer(), last_error: Type.Union([Type.String(), Type.Null()]) })),
  sources: Type.Optional(Type.Object({ total: Type.Integer(), failed: Type.Integer() })),
  readiness: Type.Optional(Readiness),
});
export type Health = Static<typeof Health>;
