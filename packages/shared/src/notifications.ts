// Notifications: OSSEC's e-mail settings and granular <email_alerts>, Wazuh's <integration>
// blocks and the block events people are told about, as the dashboard reads and edits them; the
// history of what was sent, with every attempt.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

function Nullable<T extends TSchema>(t: T) {
  return Type.Union([t, Type.Null()]);
}

export const NOTIFY_BLOCK_EVENTS = ['added', 'failed', 'released', 'expired'] as const;
export const NotifyBlockEvent = Type.Union(NOTIFY_BLOCK_EVENTS.map((k) => Type.Literal(k)));
export type NotifyBlockEvent = Static<typeof NotifyBlockEvent>;

const Address = Type.String({ minLength: 3, maxLength: 254 });
const Level = Type.Integer({ minimum: 0, maximum: 16 });

export const EmailSettings = Type.Object({
  enabled: Type.Boolean(),
  to: Type.Array(Address, { maxItems: 50 }),
  from: Nullable(Address),
  smtp_server: Nullable(Type.String({ maxLength: 253 })),
  maxperhour: Type.Integer({ minimum: 1, maximum: 9999 }),
  reply_to: Nullable(Address),
  idsname: Nullable(Type.String({ maxLength: 100 })),
  alert_level: Level,
});
export type EmailSettings = Static<typeof EmailSettings>;

export const EmailRuleSettings = Type.Object({
  to: Type.Array(Address, { minItems: 1, maxItems: 50 }),
  level: Nullable(Level),
  group: Nullable(Type.String({ maxLength: 500 })),
  event_location: Nullable(Type.String({ maxLength: 500 })),
  rule_id: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 500 }),
  format: Type.Union([Type.Literal('full'), Type.Literal('sms')]),
  do_not_delay: Type.Boolean(),
  do_not_group: Type.Boolean(),
});
export type EmailRuleSettings = Static<typeof EmailRuleSettings>;

export const IntegrationSettings = Type.Object({
  /** `slack` or `custom-…`. */
  name: Type.String({ minLength: 1, maxLength: 100 }),
  hook_url: Type.String({ minLength: 1, maxLength: 2000 }),
  /** Never sent back; on save, absent or null keeps the key the config has for this name. */
  api_key: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  api_key_set: Type.Optional(Type.Boolean()),
  level: Nullable(Level),
  rule_id: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 500 }),
  group: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 }),
  event_location: Nullable(Type.String({ maxLength: 500 })),
  /** Its own block events; null: the global list. */
  notify_blocks: Nullable(Type.Array(NotifyBlockEvent)),
});
export type IntegrationSettings = Static<typeof IntegrationSettings>;

/**
 * `<portcullis><smtp>` as the form edits it. There is no password field: the password lives in the
 * file `password_file` names (or PORTCULLIS_SMTP_PASSWORD), never in the config, the database or
 * an answer; a `password` sent here is dropped with the other unknown fields.
 */
export const SmtpSettings = Type.Object({
  /** Default 25, or 465 with `tls`. */
  port: Nullable(Type.Integer({ minimum: 1, maximum: 65535 })),
  /** true: required; false: never; null: when the server offers it. */
  starttls: Nullable(Type.Boolean()),
  tls: Type.Boolean(),
  user: Nullable(Type.String({ minLength: 1, maxLength: 254 })),
  /** A file holding the password (relative: from the config's folder). */
  password_file: Nullable(Type.String({ minLength: 1, maxLength: 1000 })),
  ca_file: Nullable(Type.String({ minLength: 1, maxLength: 1000 })),
  insecure_tls: Type.Boolean(),
});
export type SmtpSettings = Static<typeof SmtpSettings>;

export const SmtpView = Type.Composite([SmtpSettings, Type.Object({
  /** Where the password comes from (the file, else the environment); it is never shown. */
  password_from: Type.Union([Type.Literal('file'), Type.Literal('env'), Type.Null()]),
})]);
export type SmtpView = Static<typeof SmtpView>;

export const NotifyDestination = Type.Object({
  key: Type.String(),
  channel: Type.Union([Type.Literal('email'), Type.Literal('slack'), Type.Literal('webhook')]),
  label: Type.String(),
});
export type NotifyDestination = Static<typeof NotifyDestination>;

/** `GET /api/notifications` (viewer; hook URLs and keys only for admins). */
export const NotificationSettings = Type.Object({
  hash: Type.String(),
  editable: Type.Boolean(),
  email: EmailSettings,
  email_alerts: Type.Array(EmailRuleSettings),
  integrations: Type.Array(IntegrationSettings),
  notify_blocks: Type.Array(NotifyBlockEvent),
  smtp: SmtpView,
  destinations: Type.Array(NotifyDestination),
});
export type NotificationSettings = Static<typeof NotificationSettings>;

/** `PUT /api/notifications` (admin): saved into the config's blocks. */
export const NotificationSave = Type.Object({
  base_hash: Type.String(),
  email: EmailSettings,
  email_alerts: Type.Array(EmailRuleSettings, { maxItems: 100 }),
  integrations: Type.Array(IntegrationSettings, { maxItems: 100 }),
  notify_blocks: Type.Array(NotifyBlockEvent),
  /** `<portcullis><smtp>`; absent: left as it is. */
  smtp: Type.Optional(SmtpSettings),
});
export type NotificationSave = Static<typeof NotificationSave>;

export const NotifyIssue = Type.Object({
  /** Where in the form: `email.from`, `integrations.0.hook_url`; or `config` for the file as a whole. */
  field: Type.String(),
  message: Type.String(),
});
export type NotifyIssue = Static<typeof NotifyIssue>;

/** 422 from a save: nothing was written. */
export const NotifyValidation = Type.Object({ ok: Type.Boolean(), issues: Type.Array(NotifyIssue) });
export type NotifyValidation = Static<typeof NotifyValidation>;

export const NotifyAttempt = Type.Object({
  time: Type.String(),
  duration_ms: Type.Integer(),
  ok: Type.Boolean(),
  error: Nullable(Type.String()),
});
export type NotifyAttempt = Static<typeof NotifyAttempt>;

export const NOTIFY_STATES = ['queued', 'held', 'grouped', 'sent', 'failed'] as const;
export const NotifyState = Type.Union(NOTIFY_STATES.map((s) => Type.Literal(s)));
export type NotifyState = Static<typeof NotifyState>;

export const NotifyHistoryItem = Type.Object({
  id: Type.Integer(),
  channel: NotifyDestination.properties.channel,
  label: Type.String(),
  kind: Type.Union([Type.Literal('alert'), Type.Literal('block'), Type.Literal('test'), Type.Literal('digest')]),
  alert_id: Nullable(Type.Integer()),
  block_id: Nullable(Type.Integer()),
  level: Nullable(Type.Integer()),
  summary: Type.String(),
  state: NotifyState,
  attempts: Type.Array(NotifyAttempt),
  created_at: Type.String(),
  sent_at: Nullable(Type.String()),
  next_at: Nullable(Type.String()),
  last_error: Nullable(Type.String()),
  /** A held mail sent inside this digest. */
  digest_id: Nullable(Type.Integer()),
});
export type NotifyHistoryItem = Static<typeof NotifyHistoryItem>;

export const NotifyHistoryQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  state: Type.Optional(NotifyState),
});
export type NotifyHistoryQuery = Static<typeof NotifyHistoryQuery>;

export const NotifyHistoryPage = Type.Object({ items: Type.Array(NotifyHistoryItem), next: Nullable(Type.String()) });
export type NotifyHistoryPage = Static<typeof NotifyHistoryPage>;

/** `POST /api/notifications/test` (admin): a test to one saved destination, answered once tried. */
export const NotifyTestRequest = Type.Object({ destination: Type.String({ minLength: 1, maxLength: 3000 }) });
export type NotifyTestRequest = Static<typeof NotifyTestRequest>;
