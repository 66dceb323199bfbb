// Registered hosts (many hosts): GET /api/hosts (viewer), POST /api/hosts (admin),
// POST /api/hosts/:name/rotate (admin), DELETE /api/hosts/:name (admin, revokes).
import { Type, type Static, type TSchema } from '@sinclair/typebox';

function Nullable<T extends TSchema>(t: T) {
  return Type.Union([t, Type.Null()]);
}

/** A host name: also its client certificate's CN. */
export const HOST_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$';

export const HostNameParams = Type.Object({ name: Type.String({ pattern: HOST_NAME_PATTERN }) });
export type HostNameParams = Static<typeof HostNameParams>;

export const HostCreate = Type.Object({ name: Type.String({ minLength: 1, maxLength: 63 }) });
export type HostCreate = Static<typeof HostCreate>;

/** `healthy`: its bouncer pulled within 3× its poll interval; `stale`: it did not, or never pulled; `revoked`. */
export const HOST_STATUSES = ['healthy', 'stale', 'revoked'] as const;
export const HostStatus = Type.Union(HOST_STATUSES.map((s) => Type.Literal(s)));
export type HostStatus = Static<typeof HostStatus>;

/** A host as the list shows it: never a secret. Times are ISO strings. */
export const Host = Type.Object({
  name: Type.String(),
  created_at: Type.String(),
  created_by: Nullable(Type.String()),
  rotated_at: Nullable(Type.String()),
  revoked_at: Nullable(Type.String()),
  status: HostStatus,
  /** Since when it is stale (last pull + 3× its poll interval); null when healthy or never pulled. */
  stale_since: Nullable(Type.String()),
  // its logs
  last_line_at: Nullable(Type.String()),
  lines: Type.Integer(),
  lines_last_minute: Type.Integer(),
  alerts_last_minute: Type.Integer(),
  /** Lines refused from it (e.g. sent after its revocation). */
  refused_lines: Type.Integer(),
  // its bouncer
  last_pull_at: Nullable(Type.String()),
  /** The bouncer's User-Agent, e.g. `crowdsec-firewall-bouncer/v0.0.25`. */
  user_agent: Nullable(Type.String()),
  /** Measured between its last two pulls. */
  poll_interval_ms: Nullable(Type.Integer()),
  auth_failures: Type.Integer(),
  last_auth_failure_at: Nullable(Type.String()),
  /** Active blocks delivered to (or waiting for) this host's bouncer. */
  active_decisions: Type.Integer(),
  /** Of those, the ones its bouncer has not pulled yet. */
  pending_decisions: Type.Integer(),
});
export type Host = Static<typeof Host>;

export const HostList = Type.Object({ items: Type.Array(Host), next: Type.Null() });
export type HostList = Static<typeof HostList>;

/** Live `hosts` event: these hosts changed (a bouncer pull, lines or an alert from it, auth failures, added, rotated, revoked); at most one a second. */
export interface LiveHostsChange {
  names: string[];
}

/** Ready-to-paste configuration for the host's side. */
export const HostSnippets = Type.Object({
  /** /etc/crowdsec/bouncers/crowdsec-firewall-bouncer.yaml */
  bouncer: Type.String(),
  /** /etc/systemd/system/crowdsec-firewall-bouncer.service.d/restart.conf */
  bouncer_dropin: Type.String(),
  /** /etc/rsyslog.d/60-portcullis.conf */
  rsyslog: Type.String(),
  /** /etc/systemd/journal-upload.conf */
  journal_upload: Type.String(),
  /** The command that writes the client certificate these snippets name. */
  certificate: Type.String(),
});
export type HostSnippets = Static<typeof HostSnippets>;

/** Answer to create and rotate: the only time the secrets are shown. */
export const HostSecrets = Type.Object({
  name: Type.String(),
  api_key: Type.String(),
  ingest_token: Type.String(),
  snippets: HostSnippets,
  host: Host,
});
export type HostSecrets = Static<typeof HostSecrets>;
