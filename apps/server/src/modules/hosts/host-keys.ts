// Secrets of a registered host: its bouncer API key (what `cscli bouncers add` makes: 32 random
// bytes, base64 without padding) and its ingest token. Stored as SHA-512 hex, as CrowdSec does:
// both are high-entropy, so a slow hash would add nothing but latency on every poll.
import { createHash, randomBytes } from 'node:crypto';

/** A host name: a DNS label-like word, also a client certificate's CN. */
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function newApiKey(): string {
  return randomBytes(32).toString('base64').replace(/=+$/, '');
}

export function newIngestToken(): string {
  return `pch_${randomBytes(32).toString('base64url')}`;
}

export function hashHostSecret(secret: string): string {
  return createHash('sha512').update(secret).digest('hex');
}
