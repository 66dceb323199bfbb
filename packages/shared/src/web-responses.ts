// Commands, active responses and the white list as the dashboard edits them. Written from the
// web side (issue 5); the server implements these routes. The `<command>` and `<active-response>`
// blocks travel as XML (the form view is built from it), validated by the server.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { RuleRef } from './web-rules.js';

function Nullable<T extends TSchema>(t: T) {
  return Type.Union([t, Type.Null()]);
}

export const CommandInfo = Type.Object({
  name: Type.String(),
  executable: Type.String(),
  expect: Type.Array(Type.String()),
  timeout_allowed: Type.Boolean(),
  protocol: Type.Union([Type.Literal('argv'), Type.Literal('json')]),
  /** The script found in the active-response directory (as written, else with `.sh`). */
  script: Nullable(Type.String()),
});
export type CommandInfo = Static<typeof CommandInfo>;

export const ActiveResponseInfo = Type.Object({
  /** Position among the config's `<active-response>` blocks. */
  index: Type.Integer(),
  command: Type.String(),
  location: Type.String(),
  level: Nullable(Type.Integer()),
  rules_group: Nullable(Type.String()),
  rules_id: Type.Array(Type.Integer()),
  /** Seconds; null = no timeout (never released by a timer). */
  timeout: Nullable(Type.Integer()),
  /** Minutes for the 2nd, 3rd… offence. */
  repeated_offenders: Type.Array(Type.Integer()),
  disabled: Type.Boolean(),
  /** Rules this response is bound to, as the engine binds them. */
  bound_rules: Type.Array(RuleRef),
});
export type ActiveResponseInfo = Static<typeof ActiveResponseInfo>;

/** `GET /api/responses` (viewer). */
export const ResponseConfig = Type.Object({
  /** The `<command>` and `<active-response>` blocks of the config, as XML. */
  xml: Type.String(),
  hash: Type.String(),
  commands: Type.Array(CommandInfo),
  active_responses: Type.Array(ActiveResponseInfo),
  /** Scripts present in the active-response directory. */
  scripts: Type.Array(Type.String()),
});
export type ResponseConfig = Static<typeof ResponseConfig>;

export const RESPONSE_ISSUE_CODES = ['XML', 'UNKNOWN_COMMAND', 'TIMEOUT_NOT_ALLOWED', 'SCRIPT_MISSING', 'INVALID'] as const;
export const ResponseIssue = Type.Object({
  code: Type.Union(RESPONSE_ISSUE_CODES.map((c) => Type.Literal(c))),
  message: Type.String(),
  line: Nullable(Type.Integer()),
  column: Nullable(Type.Integer()),
});
export type ResponseIssue = Static<typeof ResponseIssue>;

/** `POST /api/responses/validate` (admin) body `{xml}`: 200 with this, whether or not it is valid. */
export const ResponseValidation = Type.Object({
  ok: Type.Boolean(),
  issues: Type.Array(ResponseIssue),
  commands: Type.Array(CommandInfo),
  active_responses: Type.Array(ActiveResponseInfo),
});
export type ResponseValidation = Static<typeof ResponseValidation>;

export const ResponseXml = Type.Object({ xml: Type.String({ maxLength: 1024 * 1024 }) });
export type ResponseXml = Static<typeof ResponseXml>;

/** `PUT /api/responses` (admin): 200 ResponseConfig (applied); 422 ResponseValidation; 409 stale base_hash. */
export const ResponseSave = Type.Object({
  xml: Type.String({ maxLength: 1024 * 1024 }),
  base_hash: Type.String(),
  message: Type.String({ minLength: 1, maxLength: 500 }),
});
export type ResponseSave = Static<typeof ResponseSave>;

export const WhitelistEntry = Type.Object({
  /** Null for entries the dashboard cannot remove (config file, built-in protection). */
  id: Nullable(Type.Integer()),
  /** An address or network, v4 or v6. */
  value: Type.String(),
  note: Nullable(Type.String()),
  /** `config`: `<white_list>` in the config file; `dashboard`: added here; `protected`: loopback, own addresses, signed-in admins. */
  source: Type.Union([Type.Literal('config'), Type.Literal('dashboard'), Type.Literal('protected')]),
  created_by: Nullable(Type.String()),
  created_at: Nullable(Type.String()),
});
export type WhitelistEntry = Static<typeof WhitelistEntry>;
// `GET /api/whitelist` (viewer): List(WhitelistEntry). `DELETE /api/whitelist/:id` (admin): Ok.

/** `POST /api/whitelist` (admin): 201 WhitelistEntry. */
export const WhitelistCreate = Type.Object({
  value: Type.String({ minLength: 2, maxLength: 100 }),
  note: Type.String({ minLength: 1, maxLength: 500 }),
});
export type WhitelistCreate = Static<typeof WhitelistCreate>;
