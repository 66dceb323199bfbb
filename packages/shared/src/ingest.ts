// HTTP ingest for agents and shippers, and the ruleset status.
import { Type, type Static } from '@sinclair/typebox';

/** One `application/x-ndjson` line. */
export const IngestEvent = Type.Object({
  line: Type.String({ maxLength: 65_536 }),
  location: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
});
export type IngestEvent = Static<typeof IngestEvent>;

export const IngestQuery = Type.Object({
  /** Location for `text/plain` bodies (default `http:<token name>`). */
  location: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
});
export type IngestQuery = Static<typeof IngestQuery>;

export const IngestResult = Type.Object({ accepted: Type.Integer(), alerts: Type.Integer() });
export type IngestResult = Static<typeof IngestResult>;

export const RulesetError = Type.Object({
  file: Type.String(),
  line: Type.Integer(),
  column: Type.Integer(),
  message: Type.String(),
});
export type RulesetError = Static<typeof RulesetError>;

export const RulesetStatus = Type.Object({
  ok: Type.Boolean(),
  dialect: Type.String(),
  rules: Type.Integer(),
  decoders: Type.Integer(),
  loaded_at: Type.String(),
  /** Correlation state carried over at the last switch: rules unchanged. */
  kept_rules: Type.Integer(),
  /** The last failed reload, still in force until a reload succeeds. */
  errors: Type.Array(RulesetError),
  failed_at: Type.Union([Type.String(), Type.Null()]),
});
export type RulesetStatus = Static<typeof RulesetStatus>;
