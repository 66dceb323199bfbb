// The HTTP receivers (POST /api/ingest, systemd-journal-upload's POST /upload) as sources in
// /api/sources and /metrics: lines taken, and senders refused per reason with the recent ones
// (an unknown or revoked ingest token or certificate), like the syslog receivers' counters.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../db/database.js';
import { DropCounter, type SourceKind, type SourceStatus } from '../../sources/index.js';
import { hashHostSecret } from '../hosts/host-keys.js';
import { clientCertName } from '../hosts/tls-identity.js';

export interface ReceiverStatus extends SourceStatus {
  /** Requests refused, by reason (unknown-token, revoked-host, unknown-host…). */
  refused: Record<string, number>;
}

export class HttpReceiver {
  readonly refusals = new DropCounter();
  readonly dropped = new DropCounter(0);
  linesRead = 0;

  constructor(readonly id: string, readonly kind: SourceKind, readonly target: string) {}

  /** Whether it has anything to report: used by a host, or something refused. */
  active(): boolean {
    return this.linesRead > 0 || this.refusals.total() > 0 || this.dropped.total() > 0;
  }

  status(): ReceiverStatus {
    return {
      id: this.id, kind: this.kind, target: this.target, state: 'running', linesRead: this.linesRead,
      lastError: null, lastErrorAt: null, dropped: this.dropped.snapshot(), recentDrops: this.refusals.recent(),
      refused: this.refusals.snapshot(),
    };
  }
}

/**
 * Counts a request refused for its credential (401; 403 for a credential that names no host where
 * one is needed): a `pch_` ingest token unknown or revoked, a client certificate naming no active
 * host, or none at all. Other tokens' failures are the API's own and are not counted here.
 */
export function countRefusal(db: Db, receiver: HttpReceiver, request: FastifyRequest, status: number): void {
  if (status !== 401 && status !== 403) return;
  if (status === 403 && request.principal?.host) return;
  const m = /^Bearer\s+(pch_\S+)$/i.exec(request.headers.authorization ?? '');
  if (m) {
    const row = db.prepare('SELECT name, revoked_at FROM hosts WHERE ingest_token_hash = ?').get(hashHostSecret(m[1]!)) as { name: string; revoked_at: number | null } | undefined;
    if (row?.revoked_at != null) receiver.refusals.add('revoked-host', `${row.name}@${request.ip}`);
    else if (!row) receiver.refusals.add('unknown-token', request.ip);
    return;
  }
  if (request.headers.authorization) return;
  const cn = clientCertName(request.raw.socket);
  if (cn !== null) {
    const row = db.prepare('SELECT revoked_at FROM hosts WHERE name = ?').get(cn) as { revoked_at: number | null } | undefined;
    receiver.refusals.add(row ? 'revoked-host' : 'unknown-host', `${cn}@${request.ip}`);
  } else if (!request.principal) {
    receiver.refusals.add('no-credential', request.ip);
  }
}
