// Portcullis as its own small certificate authority (`portcullis ca init`, `portcullis host cert`):
// a CA, a server certificate for the HTTPS listener and the syslog-over-TLS receiver, and one
// client certificate per host (CN = the host's name, which is how the receivers know who sent a
// line). X.509 comes from @peculiar/x509 over Node's WebCrypto, never hand-written ASN.1.
// ECDSA P-256 with SHA-256: read by OpenSSL, GnuTLS (rsyslog gtls) and libcurl alike.
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it, before it loads
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const crypto = webcrypto;
x509.cryptoProvider.set(crypto as never);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
const CA_DAYS = 3650;
const LEAF_DAYS = 825;

export class CaError extends Error {}

/** The files of a CA directory. */
export interface CaFiles {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
}

export function caFiles(dir: string): CaFiles {
  return { dir, caCert: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key'), serverCert: join(dir, 'server.crt'), serverKey: join(dir, 'server.key') };
}

/** A positive serial number of 16 random bytes, as hex. */
function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

async function keyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', key));
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function writeSecret(path: string, text: string, mode: number): void {
  writeFileSync(path, text, { mode });
  chmodSync(path, mode); // an existing file keeps its mode on write
}

function sanOf(names: string[]): x509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: isIP(n) ? 'ip' : 'dns', value: n })));
}

/** A loaded CA: its certificate and signing key. */
export interface Ca {
  cert: x509.X509Certificate;
  key: CryptoKey;
  certPem: string;
}

export async function loadCa(dir: string): Promise<Ca> {
  const f = caFiles(dir);
  if (!existsSync(f.caCert) || !existsSync(f.caKey)) throw new CaError(`no CA in ${dir} (ca.crt and ca.key): run portcullis ca init first`);
  let certPem: string;
  let keyDer: Buffer;
  try {
    certPem = readFileSync(f.caCert, 'utf8');
    keyDer = createPrivateKey(readFileSync(f.caKey)).export({ format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw new CaError(`cannot read the CA in ${dir}: ${(err as Error).message}`);
  }
  const cert = new x509.X509Certificate(certPem);
  const key = await crypto.subtle.importKey('pkcs8', keyDer, ALG, false, ['sign']);
  return { cert, key, certPem };
}

async function leaf(ca: Ca, cn: string, names: string[], usage: x509.ExtendedKeyUsage, now: Date): Promise<{ cert: string; key: string }> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${cn}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + LEAF_DAYS * DAY),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([usage], false),
      sanOf(names),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

export interface CaInitResult {
  files: CaFiles;
  names: string[];
}

/**
 * Makes a CA (ca.crt, ca.key) and a server certificate (server.crt, server.key) for `names` in
 * `dir`; every file 0600, the directory 0700. Refuses to overwrite an existing CA unless `force`.
 */
export async function initCa(dir: string, names: string[], options: { force?: boolean; now?: Date } = {}): Promise<CaInitResult> {
  const f = caFiles(dir);
  const now = options.now ?? new Date();
  const present = [f.caCert, f.caKey, f.serverCert, f.serverKey].filter((p) => existsSync(p));
  if (present.length > 0 && !options.force) throw new CaError(`${present.join(', ')} already exist${present.length === 1 ? 's' : ''}: not overwritten (use --force to make a new CA; every certificate it signed stops being trusted)`);
  if (names.length === 0) throw new CaError('the server certificate needs at least one name (--name)');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = await keyPair();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=Portcullis CA ${names[0]}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const ca: Ca = { cert: caCert, key: keys.privateKey, certPem: caCert.toString('pem') };
  const server = await leaf(ca, names[0]!, names, x509.ExtendedKeyUsage.serverAuth, now);
  writeSecret(f.caKey, await keyPem(keys.privateKey), 0o600);
  writeSecret(f.caCert, ca.certPem, 0o600);
  writeSecret(f.serverKey, server.key, 0o600);
  writeSecret(f.serverCert, server.cert, 0o600);
  return { files: f, names };
}

export interface HostCertResult {
  cert: string;
  key: string;
  ca: string;
}

/** Writes `<out>/NAME.crt`, `<out>/NAME.key` (0600) and `<out>/ca.crt`: a client certificate, CN=NAME. */
export async function issueHostCert(caDir: string, name: string, outDir: string, now = new Date()): Promise<HostCertResult> {
  const ca = await loadCa(caDir);
  const { cert, key } = await leaf(ca, name, [name], x509.ExtendedKeyUsage.clientAuth, now);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const out = { cert: join(outDir, `${name}.crt`), key: join(outDir, `${name}.key`), ca: join(outDir, 'ca.crt') };
  writeSecret(out.key, key, 0o600);
  writeSecret(out.cert, cert, 0o644);
  writeSecret(out.ca, ca.certPem, 0o644);
  return out;
}
