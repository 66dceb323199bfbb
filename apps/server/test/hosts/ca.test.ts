// The small CA: `openssl verify` accepts what it signs, a real TLS handshake accepts the host's
// client certificate and refuses one from another CA, and an existing CA is never overwritten.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { CaError, caFiles, initCa, issueHostCert } from '../../src/modules/hosts/ca.js';

const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-ca-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A TLS server asking for client certificates from `caDir`'s CA; answers who the peer is. */
async function handshake(caDir: string, client: { cert: string; key: string }): Promise<{ authorized: boolean; cn: string | undefined; error: string | null }> {
  const f = caFiles(caDir);
  const server = createServer({ cert: readFileSync(f.serverCert), key: readFileSync(f.serverKey), ca: readFileSync(f.caCert), requestCert: true, rejectUnauthorized: false });
  const seen = new Promise<{ authorized: boolean; cn: string | undefined; error: string | null }>((resolve) => {
    server.once('secureConnection', (s: TLSSocket) => {
      const cn = s.getPeerCertificate().subject?.CN;
      resolve({ authorized: s.authorized, cn: Array.isArray(cn) ? cn[0] : cn, error: s.authorizationError ? String(s.authorizationError) : null });
      s.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(f.caCert), cert: readFileSync(client.cert), key: readFileSync(client.key) });
  socket.on('error', () => undefined);
  const serverTrusted = await new Promise<boolean>((resolve) => {
    socket.once('secureConnect', () => resolve(socket.authorized));
    socket.once('error', () => resolve(false));
  });
  const result = await seen;
  socket.destroy();
  server.close();
  expect(serverTrusted).toBe(true); // the client checked the server certificate against the CA, name localhost
  return result;
}

describe('portcullis CA', () => {
  const ca = path.join(dir, 'ca');
  const other = path.join(dir, 'other-ca');

  it('makes a CA and a server certificate that openssl verifies, files 0600', async () => {
    await initCa(ca, ['central.example', 'localhost', '127.0.0.1']);
    const f = caFiles(ca);
    for (const p of [f.caCert, f.caKey, f.serverCert, f.serverKey]) expect((statSync(p).mode & 0o777).toString(8)).toBe('600');
    expect(openssl('verify', '-CAfile', f.caCert, '-purpose', 'sslserver', f.serverCert)).toMatchObject({ status: 0 });
    const text = openssl('x509', '-in', f.serverCert, '-noout', '-ext', 'subjectAltName').out;
    expect(text).toContain('DNS:central.example');
    expect(text).toContain('IP Address:127.0.0.1');
  });

  it('refuses to overwrite a CA without force', async () => {
    const before = readFileSync(caFiles(ca).caKey, 'utf8');
    await expect(initCa(ca, ['localhost'])).rejects.toThrow(CaError);
    await expect(initCa(ca, ['localhost'])).rejects.toThrow(/ca\.crt.*already exist.*--force/);
    expect(readFileSync(caFiles(ca).caKey, 'utf8')).toBe(before);
  });

  it('signs a client certificate for a host: CN = name, clientAuth, verified by openssl', async () => {
    const out = path.join(dir, 'web1');
    const files = await issueHostCert(ca, 'web1', out);
    expect(files).toEqual({ cert: path.join(out, 'web1.crt'), key: path.join(out, 'web1.key'), ca: path.join(out, 'ca.crt') });
    expect((statSync(files.key).mode & 0o777).toString(8)).toBe('600');
    expect(readFileSync(files.ca, 'utf8')).toBe(readFileSync(caFiles(ca).caCert, 'utf8'));
    expect(openssl('verify', '-CAfile', files.ca, '-purpose', 'sslclient', files.cert)).toMatchObject({ status: 0 });
    // a client certificate is not a server certificate
    expect(openssl('verify', '-CAfile', files.ca, '-purpose', 'sslserver', files.cert).status).not.toBe(0);
    expect(openssl('x509', '-in', files.cert, '-noout', '-subject').out).toMatch(/CN\s*=\s*web1/);
  });

  it('a real TLS handshake accepts the host certificate and refuses one from another CA', async () => {
    const web1 = await issueHostCert(ca, 'web1', path.join(dir, 'web1'));
    expect(await handshake(ca, web1)).toEqual({ authorized: true, cn: 'web1', error: null });

    await initCa(other, ['localhost']);
    const forged = await issueHostCert(other, 'web1', path.join(dir, 'forged'));
    expect(openssl('verify', '-CAfile', caFiles(ca).caCert, forged.cert).status).not.toBe(0);
    const r = await handshake(ca, forged);
    expect(r.authorized).toBe(false);
    expect(r.error).toMatch(/UNABLE_TO_VERIFY|unable to (get|verify)/i);
  });

  it('names a missing CA clearly', async () => {
    await expect(issueHostCert(path.join(dir, 'none'), 'web1', path.join(dir, 'x'))).rejects.toThrow(/no CA in .*none.*portcullis ca init/);
  });
});
