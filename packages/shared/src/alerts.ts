// Alerts as the API and the live feed show them.
import { Type, type Static } from '@sinclair/typebox';
import { Page, PageQuery } from './common.js';

export const Alert = Type.Object({
  id: Type.Integer(),
  /** Reception time, ISO 8601 UTC. */
  time: Type.String(),
  /** Time written in the line itself, ISO 8601 UTC, or null. */
  event_time: Type.Union([Type.String(), Type.Null()]),
  rule_id: Type.Integer(),
  level: Type.Integer(),
  description: Type.String(),
  groups: Type.Array(Type.String()),
  decoder: Type.Union([Type.String(), Type.Null()]),
  srcip: Type.Union([Type.String(), Type.Null()]),
  /** dstuser, else srcuser, else a decoded `user` field. */
  user: Type.Union([Type.String(), Type.Null()]),
  hostname: Type.Union([Type.String(), Type.Null()]),
  program_name: Type.Union([Type.String(), Type.Null()]),
  location: Type.String(),
  full_log: Type.String(),
  fields: Type.Record(Type.String(), Type.String()),
  /** The registered host whose authenticated sender delivered the line; null for the server's own logs. */
  host: Type.Union([Type.String(), Type.Null()]),
});
export type Alert = Static<typeof Alert>;

export const AlertQuery = Type.Composite([
  PageQuery,
  Type.Object({
    level_min: Type.Optional(Type.Integer({ minimum: 0, maximum: 16 })),
    rule_id: Type.Optional(Type.Integer({ minimum: 0 })),
    group: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    srcip: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    /** The registered host the alert came from. */
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    location: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    /** Text searched in the full log line (case-insensitive substring). */
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /** Reception time bounds, ISO 8601; `from` inclusive, `to` exclusive. */
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  }),
]);
export type AlertQuery = Static<typeof AlertQuery>;

export const AlertPage = Page(Alert);
export type AlertPage = Static<typeof AlertPage>;
