// Who a TLS peer is: the CN of a client certificate the listener verified against its client CA.
// Never the name a log line claims (its HOSTNAME): a line belongs to the host that authenticated.
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { HostRow, HostsRepository } from './hosts.repository.js';

/**
 * The subject CN of the peer's certificate when the socket is TLS and the certificate was verified
 * (`socket.authorized`), else null: a plain socket, no certificate, or one the CA did not sign.
 */
export function clientCertName(socket: Socket): string | null {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return null;
  const cn = socket.getPeerCertificate().subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  return typeof name === 'string' && name !== '' ? name : null;
}

/** Why a sender is not let in; counted under this reason. */
export type HostRefusal = 'no-certificate' | 'bad-certificate' | 'unknown-host' | 'revoked-host';

export type HostVerdict = { ok: true; host: HostRow } | { ok: false; reason: HostRefusal };

/** A registered host name, checked now (revocation takes effect on the next batch). */
export function checkHost(hosts: HostsRepository, name: string): HostVerdict {
  const host = hosts.byName(name);
  if (!host) return { ok: false, reason: 'unknown-host' };
  if (host.revoked_at !== null) return { ok: false, reason: 'revoked-host' };
  return { ok: true, host };
}

/** The registered, active host a TLS peer's verified certificate names, or why not. */
export function hostOfSocket(hosts: HostsRepository, socket: Socket): HostVerdict {
  const name = clientCertName(socket);
  if (name === null) {
    const peer = socket instanceof TLSSocket ? socket.getPeerCertificate() : null;
    return { ok: false, reason: peer?.subject ? 'bad-certificate' : 'no-certificate' };
  }
  return checkHost(hosts, name);
}
