// Rules and decoders as the dashboard needs them: the rule tree, one rule with its source and
// chain, overrides (tune level, disable, frequency/timeframe, with a note), and whole-file edits
// with validation, revisions and rollback. Written from the web side (issue 5); the server
// implements these routes. Ruleset errors reuse `RulesetError` (file, line, column, message).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { RulesetError, RulesetStatus } from './ingest.js';

function Nullable<T extends TSchema>(t: T) {
  return Type.Union([t, Type.Null()]);
}

export const RuleRef = Type.Object({ id: Type.Integer(), level: Type.Integer(), description: Type.String() });
export type RuleRef = Static<typeof RuleRef>;

/** An override as stored: keyed by rule id, with the hash of the rule text it was made against. */
export const RuleOverride = Type.Object({
  rule_id: Type.Integer(),
  level: Nullable(Type.Integer({ minimum: 0, maximum: 16 })),
  disabled: Type.Boolean(),
  frequency: Nullable(Type.Integer({ minimum: 1 })),
  timeframe: Nullable(Type.Integer({ minimum: 1 })),
  note: Type.String(),
  updated_by: Nullable(Type.String()),
  updated_at: Type.String(),
  rule_hash: Type.String(),
  /** The rule under it changed (ruleset upgrade, file edit) since the override was made. */
  stale: Type.Boolean(),
  /** The rule no longer exists. */
  orphaned: Type.Optional(Type.Boolean()),
});
export type RuleOverride = Static<typeof RuleOverride>;

/** One rule in the tree (`GET /api/rules` returns them all: a few thousand, `next: null`). */
export const RuleSummary = Type.Object({
  id: Type.Integer(),
  /** Effective level (override applied). */
  level: Type.Integer(),
  /** Level written in the file. */
  base_level: Type.Integer(),
  description: Type.String(),
  groups: Type.Array(Type.String()),
  file: Type.String(),
  /** Rules this one hangs under in the tree (if_sid, if_group, if_level); empty for a root. */
  parents: Type.Array(Type.Integer()),
  if_group: Nullable(Type.String()),
  frequency: Nullable(Type.Integer()),
  timeframe: Nullable(Type.Integer()),
  disabled: Type.Boolean(),
  overridden: Type.Boolean(),
  stale_override: Type.Boolean(),
});
export type RuleSummary = Static<typeof RuleSummary>;

export const RuleList = Type.Object({ items: Type.Array(RuleSummary), next: Type.Null() });
export type RuleList = Static<typeof RuleList>;

/** `GET /api/rules/:id`. */
export const RuleDetail = Type.Composite([
  RuleSummary,
  Type.Object({
    line: Type.Integer(),
    column: Type.Integer(),
    /** The rule element as written in its file. */
    source: Type.String(),
    /** Ancestors, root first (the first parent at each step). */
    chain: Type.Array(RuleRef),
    children: Type.Array(RuleRef),
    decoded_as: Nullable(Type.String()),
    /** Indexes of the `<active-response>` blocks this rule triggers. */
    active_responses: Type.Array(Type.Integer()),
    override: Nullable(RuleOverride),
  }),
]);
export type RuleDetail = Static<typeof RuleDetail>;

/** `PUT /api/rules/:id/override` (admin). Omitted fields are not overridden. */
export const RuleOverrideSet = Type.Object({
  level: Type.Optional(Type.Integer({ minimum: 0, maximum: 16 })),
  disabled: Type.Optional(Type.Boolean()),
  frequency: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  timeframe: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 * 7 })),
  note: Type.String({ minLength: 1, maxLength: 1000 }),
});
export type RuleOverrideSet = Static<typeof RuleOverrideSet>;
// `DELETE /api/rules/:id/override` (admin) removes it and answers `Ok`. `GET /api/rule-overrides`: List(RuleOverride).

export const RulesetFileKind = Type.Union([Type.Literal('rules'), Type.Literal('decoders')]);
export type RulesetFileKind = Static<typeof RulesetFileKind>;

/** `GET /api/ruleset/files`: List(RulesetFile). Paths are relative to the config's home. */
export const RulesetFile = Type.Object({
  path: Type.String(),
  kind: RulesetFileKind,
  size: Type.Integer(),
  modified_at: Type.String(),
  /** False for files outside the writable rules directory (e.g. a read-only stock ruleset). */
  editable: Type.Boolean(),
  revisions: Type.Integer(),
});
export type RulesetFile = Static<typeof RulesetFile>;

export const RulesetFileQuery = Type.Object({ path: Type.String({ minLength: 1, maxLength: 1024 }) });
export type RulesetFileQuery = Static<typeof RulesetFileQuery>;

/** `GET /api/ruleset/file?path=`. `hash` is sent back as `base_hash` when saving. */
export const RulesetFileContent = Type.Object({
  path: Type.String(),
  kind: RulesetFileKind,
  content: Type.String(),
  hash: Type.String(),
  modified_at: Type.String(),
  editable: Type.Boolean(),
});
export type RulesetFileContent = Static<typeof RulesetFileContent>;

/** A draft of one file, compiled with every other file as it is now. */
export const RulesetDraft = Type.Object({
  path: Type.String({ minLength: 1, maxLength: 1024 }),
  content: Type.String({ maxLength: 4 * 1024 * 1024 }),
});
export type RulesetDraft = Static<typeof RulesetDraft>;

/** `POST /api/ruleset/validate` (admin) answers 200 with this whether or not the draft compiles. */
export const RulesetValidation = Type.Object({
  ok: Type.Boolean(),
  errors: Type.Array(RulesetError),
  rules: Type.Integer(),
  decoders: Type.Integer(),
});
export type RulesetValidation = Static<typeof RulesetValidation>;

/** `PUT /api/ruleset/file` (admin): 200 RulesetFileSaved; 422 RulesetValidation (nothing applied); 409 when base_hash is not the file's current hash. */
export const RulesetFileSave = Type.Composite([
  RulesetDraft,
  Type.Object({ base_hash: Type.String(), message: Type.String({ minLength: 1, maxLength: 500 }) }),
]);
export type RulesetFileSave = Static<typeof RulesetFileSave>;

export const RulesetRevision = Type.Object({
  id: Type.Integer(),
  path: Type.String(),
  hash: Type.String(),
  size: Type.Integer(),
  author: Nullable(Type.String()),
  message: Type.String(),
  created_at: Type.String(),
  /** The revision now in force for this path. */
  current: Type.Boolean(),
});
export type RulesetRevision = Static<typeof RulesetRevision>;
// `GET /api/ruleset/revisions?path=`: List(RulesetRevision), newest first.

/** `GET /api/ruleset/revisions/:id`. */
export const RulesetRevisionContent = Type.Composite([RulesetRevision, Type.Object({ content: Type.String() })]);
export type RulesetRevisionContent = Static<typeof RulesetRevisionContent>;

/** `POST /api/ruleset/revisions/:id/rollback` (admin): body; answers like a save. */
export const RulesetRollback = Type.Object({ message: Type.String({ minLength: 1, maxLength: 500 }) });
export type RulesetRollback = Static<typeof RulesetRollback>;

export const RulesetFileSaved = Type.Object({ revision: RulesetRevision, status: RulesetStatus });
export type RulesetFileSaved = Static<typeof RulesetFileSaved>;
