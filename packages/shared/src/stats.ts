// The overview's numbers.
import { Type, type Static } from '@sinclair/typebox';

export const StatsQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  /** Bucket width in seconds; default picks about 60 buckets over the range. */
  bucket: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 * 7 })),
  top: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
});
export type StatsQuery = Static<typeof StatsQuery>;

export const Stats = Type.Object({
  from: Type.String(),
  to: Type.String(),
  bucket_seconds: Type.Integer(),
  /** Alerts per bucket start (ISO) and level. */
  buckets: Type.Array(Type.Object({ time: Type.String(), level: Type.Integer(), count: Type.Integer() })),
  top_sources: Type.Array(Type.Object({ srcip: Type.String(), count: Type.Integer() })),
  /** `description`: the rule's as the running ruleset has it (`$(field)` unfilled); a rule no longer there, one of its alerts'. */
  top_rules: Type.Array(Type.Object({ rule_id: Type.Integer(), description: Type.String(), level: Type.Integer(), count: Type.Integer() })),
  counts: Type.Object({
    /** Alerts in the range. */
    alerts: Type.Integer(),
    /** Alerts in the range at level 10 and above. */
    high: Type.Integer(),
    /** Every alert stored. */
    stored: Type.Integer(),
    by_level: Type.Array(Type.Object({ level: Type.Integer(), count: Type.Integer() })),
  }),
});
export type Stats = Static<typeof Stats>;
