// <tls> (HTTPS for the dashboard, the bouncer API and journal uploads) and the PEM files it and
// <syslog protocol="tls"> name: read once and checked (readable, a certificate, its own key, a CA).
import type * as NodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { RulesetError, type XmlElement } from '@portcullis/engine';
import { elementError } from './config-values.js';
import type { OssecConfig } from './ossec-config.js';

export interface SyslogTlsFiles {
  cert: string;
  key: string;
  /** The CA that signs the hosts' client certificates. */
  clientCa: string;
}

/** `<tls><cert>…</cert><key>…</key><client_ca>…</client_ca></tls>`, the files read and checked. */
export interface TlsConfig {
  certPath: string;
  keyPath: string;
  /** When set, the listener asks for a client certificate (and still serves a browser without one). */
  clientCaPath: string | null;
  cert: Buffer;
  key: Buffer;
  clientCa: Buffer | null;
}

/**
 * `<tls>` inside `<portcullis>`: `<cert>`, `<key>` and optional `<client_ca>` (PEM files, relative
 * paths from the config's home). A missing or unreadable file, or one that is not what its element
 * says, is an error naming the element, its place in the config and the path. Shared with check-config.
 */
export function tlsOf(cfg: OssecConfig, home: string): TlsConfig | null {
  const els = cfg.portcullisElements.flatMap((sec) => sec.children.filter((c) => c.name === 'tls'));
  if (els.length === 0) return null;
  if (els.length > 1) elementError(els[1]!, '<tls> is given more than once');
  const el = els[0]!;
  const found: Partial<Record<'cert' | 'key' | 'client_ca', PemFile>> = {};
  for (const c of el.children) {
    if (c.name !== 'cert' && c.name !== 'key' && c.name !== 'client_ca') elementError(c, `unknown element <${c.name}> in <tls> (known: cert, key, client_ca)`);
    if (found[c.name]) elementError(c, `<tls> takes one <${c.name}>`);
    const text = c.text.trim();
    if (text === '') elementError(c, `<tls><${c.name}> needs the path of a PEM file`);
    found[c.name] = { path: resolve(home, text), el: c };
  }
  const { cert, key, client_ca: clientCa } = found;
  if (!cert) elementError(el, '<tls> needs <cert>, the server certificate (PEM)');
  if (!key) elementError(el, '<tls> needs <key>, the server certificate\'s private key (PEM)');
  const pems = readPems('<tls>', cert, key, clientCa);
  return { certPath: cert.path, keyPath: key.path, clientCaPath: clientCa?.path ?? null, ...pems };
}

export interface PemFile {
  path: string;
  el: XmlElement;
}

/**
 * Reads a certificate, its key and an optional CA (PEM) and checks each is what its element says:
 * readable, a certificate, the certificate's own key (not encrypted), a CA certificate. Errors name
 * `owner` and the element (`<tls><key>`, `<syslog protocol="tls"><cert>`), its place and the path.
 */
export function readPems(owner: string, cert: PemFile, key: PemFile, clientCa: PemFile | undefined): { cert: Buffer; key: Buffer; clientCa: Buffer | null } {
  const read = (f: PemFile): Buffer => {
    try {
      return readFileSync(f.path);
    } catch (err) {
      elementError(f.el, `${owner}<${f.el.name}> ${f.path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  };
  // node:crypto is loaded here, not with the module: a CLI command reads the config but no PEM
  // file, and loading it was ~10% of its start-up.
  const { X509Certificate, createPrivateKey } = createRequire(import.meta.url)('node:crypto') as typeof NodeCrypto;
  const certData = read(cert);
  const keyData = read(key);
  const caData = clientCa ? read(clientCa) : null;
  let x509: NodeCrypto.X509Certificate;
  try {
    x509 = new X509Certificate(certData);
  } catch {
    elementError(cert.el, `${owner}<${cert.el.name}> ${cert.path}: not a PEM certificate`);
  }
  try {
    if (!x509.checkPrivateKey(createPrivateKey(keyData))) elementError(key.el, `${owner}<${key.el.name}> ${key.path}: not the key of <cert> ${cert.path}`);
  } catch (err) {
    if (err instanceof RulesetError) throw err;
    elementError(key.el, `${owner}<${key.el.name}> ${key.path}: not a PEM private key (an encrypted key is not supported)`);
  }
  if (clientCa) {
    try {
      new X509Certificate(caData!);
    } catch {
      elementError(clientCa.el, `${owner}<${clientCa.el.name}> ${clientCa.path}: not a PEM certificate`);
    }
  }
  return { cert: certData, key: keyData, clientCa: caData };
}
