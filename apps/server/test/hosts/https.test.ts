// `<tls>` on the main listener: a real HTTPS request to /api/health trusting the CA of `ca init`;
// with `<client_ca>` a browser without a certificate still gets in, a host's certificate is seen
// as authorized (CN = its name), one from another CA is not. Bad `<tls>` files are config errors
// that name the element, its place and the path.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { RulesetError } from '@portcullis/engine';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { caFiles, initCa, issueHostCert } from '../../src/modules/hosts/ca.js';
import { makeEnv, type TestEnv } from '../server/helpers.js';

let env: TestEnv;
let app: FastifyInstance;
let port: number;
const certs = mkdtempSync(path.join(tmpdir(), 'portcullis-https-'));
const ca = path.join(certs, 'ca');

interface Answer {
  status: number;
  body: string;
}

function get(url: string, tls: { ca: Buffer; cert?: Buffer; key?: Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`https://localhost:${port}${url}`, { ...tls, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  await initCa(ca, ['localhost', '127.0.0.1']);
  const f = caFiles(ca);
  env = makeEnv({ portcullis: `<tls><cert>${f.serverCert}</cert><key>${f.serverKey}</key><client_ca>${f.caCert}</client_ca></tls>` });
  const cfg = resolveServerConfig({ config: env.configPath, data: env.dataDir, listen: '127.0.0.1:0' }, {});
  app = await buildApp(cfg, { webRoot: path.join(env.dir, 'no-web') });
  // What the listener knows of the peer, as a route that needs a client certificate sees it.
  app.get('/test/peer', { config: { access: 'public' } }, async (req) => {
    const s = req.raw.socket as TLSSocket;
    const cn = s.getPeerCertificate().subject?.CN;
    return { authorized: s.authorized, cn: cn ?? null };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await app?.close();
  env?.cleanup();
  rmSync(certs, { recursive: true, force: true });
});

describe('HTTPS on the main listener', () => {
  it('answers /api/health over HTTPS to a client trusting the CA of ca init', async () => {
    const r = await get('/api/health', { ca: readFileSync(caFiles(ca).caCert) });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ status: expect.any(String) });
  });

  it('refuses plain HTTP on the same port', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.status, () => 'refused');
    expect(res).not.toBe(200);
  });

  it('with <client_ca>: no certificate still gets in; a host certificate is authorized with its CN; another CA\'s is not', async () => {
    const trust = readFileSync(caFiles(ca).caCert);
    expect(JSON.parse((await get('/test/peer', { ca: trust })).body)).toEqual({ authorized: false, cn: null });

    const web1 = await issueHostCert(ca, 'web1', path.join(certs, 'web1'));
    const mine = await get('/test/peer', { ca: trust, cert: readFileSync(web1.cert), key: readFileSync(web1.key) });
    expect(JSON.parse(mine.body)).toEqual({ authorized: true, cn: 'web1' });

    await initCa(path.join(certs, 'other'), ['localhost']);
    const forged = await issueHostCert(path.join(certs, 'other'), 'web1', path.join(certs, 'forged'));
    const theirs = await get('/test/peer', { ca: trust, cert: readFileSync(forged.cert), key: readFileSync(forged.key) });
    expect(JSON.parse(theirs.body)).toEqual({ authorized: false, cn: 'web1' });
  });
});

describe('<tls> config errors', () => {
  const envs: TestEnv[] = [];
  afterAll(() => envs.forEach((e) => e.cleanup()));
  function configWith(tls: string): string {
    const e = makeEnv({ portcullis: tls });
    envs.push(e);
    return e.configPath;
  }
  const f = caFiles(ca);
  const err = (tls: string): RulesetError => {
    const configPath = configWith(tls);
    try {
      resolveServerConfig({ config: configPath }, {});
    } catch (e) {
      expect(e).toBeInstanceOf(RulesetError);
      expect((e as RulesetError).toString()).toContain(configPath);
      return e as RulesetError;
    }
    throw new Error('no error');
  };

  it('a missing file names the element and the path', () => {
    expect(err(`<tls><cert>${certs}/none.crt</cert><key>${f.serverKey}</key></tls>`).message).toBe(`<tls><cert> ${certs}/none.crt: cannot read it (ENOENT)`);
    expect(err(`<tls><cert>${f.serverCert}</cert><key>${f.serverKey}</key><client_ca>${certs}/none-ca.crt</client_ca></tls>`).message).toBe(`<tls><client_ca> ${certs}/none-ca.crt: cannot read it (ENOENT)`);
  });

  it('a key that is not the certificate\'s, a file that is not PEM, a missing element', () => {
    const web = path.join(certs, 'web1');
    expect(err(`<tls><cert>${f.serverCert}</cert><key>${web}/web1.key</key></tls>`).message).toBe(`<tls><key> ${web}/web1.key: not the key of <cert> ${f.serverCert}`);
    const junk = path.join(certs, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    expect(err(`<tls><cert>${junk}</cert><key>${f.serverKey}</key></tls>`).message).toBe(`<tls><cert> ${junk}: not a PEM certificate`);
    expect(err(`<tls><cert>${f.serverCert}</cert></tls>`).message).toMatch(/^<tls> needs <key>/);
    expect(err(`<tls><cert>${f.serverCert}</cert><key>${f.serverKey}</key><ca>x</ca></tls>`).message).toBe('unknown element <ca> in <tls> (known: cert, key, client_ca)');
  });
});

describe('<syslog protocol="tls"> config errors', () => {
  const envs: TestEnv[] = [];
  afterAll(() => envs.forEach((e) => e.cleanup()));
  const f = caFiles(ca);
  const syslog = (files: { cert?: string; key?: string; ca?: string }): string =>
    `<syslog protocol="tls"><listen>127.0.0.1:0</listen><cert>${files.cert ?? f.serverCert}</cert><key>${files.key ?? f.serverKey}</key><client_ca>${files.ca ?? f.caCert}</client_ca></syslog>`;
  const err = (xml: string): RulesetError => {
    const e = makeEnv({ portcullis: xml });
    envs.push(e);
    try {
      resolveServerConfig({ config: e.configPath }, {});
    } catch (x) {
      expect(x).toBeInstanceOf(RulesetError);
      expect((x as RulesetError).toString()).toContain(e.configPath);
      return x as RulesetError;
    }
    throw new Error('no error');
  };

  it('a missing or unreadable file names the element and the path when the config is resolved, not when the listener starts', () => {
    expect(err(syslog({ cert: `${certs}/none.crt` })).message).toBe(`<syslog protocol="tls"><cert> ${certs}/none.crt: cannot read it (ENOENT)`);
    expect(err(syslog({ ca: `${certs}/none-ca.crt` })).message).toBe(`<syslog protocol="tls"><client_ca> ${certs}/none-ca.crt: cannot read it (ENOENT)`);
    expect(err(syslog({ key: certs })).message).toBe(`<syslog protocol="tls"><key> ${certs}: cannot read it (EISDIR)`);
  });

  it("a key that is not the certificate's and a file that is not PEM are named too; good files pass", () => {
    const web = path.join(certs, 'web1');
    expect(err(syslog({ key: `${web}/web1.key` })).message).toBe(`<syslog protocol="tls"><key> ${web}/web1.key: not the key of <cert> ${f.serverCert}`);
    const junk = path.join(certs, 'junk-syslog.pem');
    writeFileSync(junk, 'not a certificate\n');
    expect(err(syslog({ ca: junk })).message).toBe(`<syslog protocol="tls"><client_ca> ${junk}: not a PEM certificate`);
    expect(err(syslog({ cert: junk })).message).toBe(`<syslog protocol="tls"><cert> ${junk}: not a PEM certificate`);
    const e = makeEnv({ portcullis: syslog({}) });
    envs.push(e);
    expect(resolveServerConfig({ config: e.configPath }, {}).syslog).toMatchObject([{ protocol: 'tls', tls: { cert: f.serverCert, key: f.serverKey, clientCa: f.caCert } }]);
  });
});
