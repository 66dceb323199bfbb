// The socket.io live feed: event names and payloads, typed once for the server and the web app.
import { Type, type Static } from '@sinclair/typebox';
import type { Alert } from './alerts.js';
import type { RulesetStatus } from './ingest.js';

/** What a client asks to see; every field optional. Sent as `filter`, answered by `filter:ok`. */
export const LiveFilter = Type.Object({
  level_min: Type.Optional(Type.Integer({ minimum: 0, maximum: 16 })),
  rule_id: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 100 })),
  /** Source IP of the alert. */
  srcip: Type.Optional(Type.String({ maxLength: 100 })),
  /** Location (file path, `journald`, `syslog:<ip>`, …). */
  location: Type.Optional(Type.String({ maxLength: 1024 })),
});
export type LiveFilter = Static<typeof LiveFilter>;

/** One push: at most a capped number of alerts per interval; `skipped` says how many were not sent. */
export interface LiveAlertBatch {
  items: Alert[];
  skipped: number;
}

export interface ServerToClientEvents {
  alerts: (batch: LiveAlertBatch) => void;
  'filter:ok': (filter: LiveFilter) => void;
  'ruleset:status': (status: RulesetStatus) => void;
  error: (err: { code: string; message: string }) => void;
}

export interface ClientToServerEvents {
  filter: (filter: LiveFilter) => void;
}

export const LIVE_EVENTS = { alerts: 'alerts', filter: 'filter', filterOk: 'filter:ok', ruleset: 'ruleset:status' } as const;
