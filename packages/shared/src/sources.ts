// Log sources as the API reports them.
import { Type, type Static } from '@sinclair/typebox';

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
});
export type SourceInfo = Static<typeof SourceInfo>;

export const SourceList = Type.Object({ items: Type.Array(SourceInfo), next: Type.Null() });
export type SourceList = Static<typeof SourceList>;

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  uptime_seconds: Type.Number(),
  database: Type.Object({ path: Type.String(), ok: Type.Boolean() }),
  ruleset: Type.Object({ ok: Type.Boolean(), rules: Type.Integer(), decoders: Type.Integer(), last_error: Type.Union([Type.String(), Type.Null()]) }),
  sources: Type.Object({ total: Type.Integer(), failed: Type.Integer() }),
  /** Set on a fresh install until the first admin exists. */
  setup_required: Type.Boolean(),
});
export type Health = Static<typeof Health>;
