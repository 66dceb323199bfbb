// Syslog over TLS (RFC 5425) from Debian's real rsyslogd: lines belong to the host whose client
// certificate connected, never to the HOSTNAME they claim; unknown, revoked and uncertified
// senders are refused and counted where the sources are reported.
import { appendFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import path from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyslogStatus } from '../../src/sources/index.js';
import { makeApp, makeEnv, signIn, waitFor, type TestEnv } from '../server/helpers.js';
import { bsdLine, makePki, startRsyslog, type Pki, type Rsyslog } from './helpers.js';

describe('<syslog protocol="tls">', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  let pki: Pki;
  let port: number;
  const rsyslogs: Rsyslog[] = [];
  const status = (): SyslogStatus => app.sources.statuses().find((s) => s.kind === 'syslog-tls') as SyslogStatus;

  beforeAll(async () => {
    env = makeEnv();
    pki = await makePki(path.join(env.dir, 'pki'));
    writeFileSync(env.configPath, readFileSync(env.configPath, 'utf8').replace('</portcullis>', `
    <syslog protocol="tls">
      <listen>127.0.0.1:0</listen>
      <cert>pki/server.crt</cert>
      <key>pki/server.key</key>
      <client_ca>pki/ca.crt</client_ca>
      <first_byte_timeout>5</first_byte_timeout>
    </syslog>
  </portcullis>`));
    app = await makeApp(env);
    app.hosts.create('web1', 'test');
    app.hosts.create('web2', 'test');
    port = status().port!;
  });
  afterAll(async () => {
    await Promise.all(rsyslogs.map((r) => r.stop()));
    await app.close();
    env.cleanup();
  });

  /** A TLS client with `client`'s certificate (or none). */
  async function tlsClient(pending: Promise<{ cert: string; key: string }> | null): Promise<TLSSocket> {
    const client = pending ? await pending : null;
    return new Promise((resolve, reject) => {
      const sock = connect({
        host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(pki.ca),
        ...(client ? { cert: readFileSync(client.cert), key: readFileSync(client.key) } : {}),
      }, () => resolve(sock));
      sock.once('error', reject);
    });
  }

  const closed = (sock: TLSSocket): Promise<void> => new Promise((r) => (sock.destroyed ? r() : sock.once('close', () => r())));

  it('a brute force appended to web1\'s log, forwarded by rsyslog with web1\'s certificate, becomes alerts of host web1', async () => {
    const dir = path.join(env.dir, 'web1');
    const log = path.join(env.dir, 'web1-auth.log');
    writeFileSync(log, '');
    const rs = startRsyslog(dir, { logFile: log, port, pki, client: await pki.client('web1') });
    rsyslogs.push(rs);
    // imfile reads a file it has not seen from its start; omfwd connects when it has a message.
    for (let i = 0; i < 8; i++) appendFileSync(log, `${bsdLine('web1', `Failed password for root from 203.0.113.7 port ${40000 + i} ssh2`)}\n`);
    await waitFor(() => app.alerts.list({ limit: 50, rule_id: 100102 }).items.length > 0, 20_000, `brute force alert (rsyslog: ${rs.output()})`);
    const alerts = app.alerts.list({ limit: 50 }).items;
    expect(alerts.length).toBeGreaterThanOrEqual(8);
    for (const a of alerts) {
      expect(a.host).toBe('web1');
      expect(a.hostname).toBe('web1');
      expect(a.location).toBe('(web1) 127.0.0.1->syslog');
    }
    expect(alerts.find((a) => a.rule_id === 100102)).toMatchObject({ srcip: '203.0.113.7', level: 10, host: 'web1' });
    // The host's row counts its lines and their last arrival (the Hosts page's lines per minute).
    // The ingest thread reports a batch's host lines after committing its alerts, in a message
    // of its own, so the count may land a moment after the alerts are visible.
    await waitFor(() => app.hosts.byName('web1')!.lines === 8, 10_000, `web1's 8 lines counted (now ${app.hosts.byName('web1')!.lines})`);
    const row = app.hosts.byName('web1')!;
    expect(row.lines).toBe(8);
    expect(row.last_line_at).toBeGreaterThan(0);
    await rs.stop();
  });

  it('a line sent with web2\'s certificate that claims to be from web1 is stored as web2\'s', async () => {
    const dir = path.join(env.dir, 'web2');
    const log = path.join(env.dir, 'web2-auth.log');
    writeFileSync(log, '');
    const before = app.alerts.count();
    const rs = startRsyslog(dir, { logFile: log, port, pki, client: await pki.client('web2') });
    rsyslogs.push(rs);
    appendFileSync(log, `${bsdLine('web1', 'Failed password for admin from 198.51.100.4 port 1234 ssh2')}\n`);
    await waitFor(() => app.alerts.count() > before, 20_000, `web2's alert (rsyslog: ${rs.output()})`);
    const [alert] = app.alerts.list({ limit: 1 }).items;
    expect(alert).toMatchObject({ host: 'web2', srcip: '198.51.100.4', location: '(web2) 127.0.0.1->syslog' });
    // The alert keeps the HOSTNAME the line claims; who sent it is `host` (the rules saw the
    // event named after the agent, as Wazuh does, so a rule on <hostname> cannot be fooled).
    expect(alert!.full_log).toContain(' web1 sshd[4242]: Failed password for admin');
    expect(alert!.hostname).toBe('web1');
    expect(app.alerts.list({ limit: 50, host: 'web1' }).items.every((a) => a.srcip === '203.0.113.7')).toBe(true);
    await rs.stop();
  });

  it('takes LF-delimited frames too', async () => {
    const before = app.alerts.count();
    const sock = await tlsClient(pki.client('web2'));
    sock.write(`<38>${bsdLine('web2', 'Failed password for a from 192.0.2.1 port 1 ssh2')}\n<38>${bsdLine('web2', 'Failed password for b from 192.0.2.2 port 2 ssh2')}\n`);
    await waitFor(() => app.alerts.count() === before + 2, 10_000, 'two alerts');
    expect(app.alerts.list({ limit: 2 }).items.map((a) => [a.host, a.user])).toEqual([['web2', 'b'], ['web2', 'a']]);
    sock.destroy();
  });

  it('refuses a certificate naming no registered host, one from another CA, and none, and says so in /api/sources and /metrics', async () => {
    const before = app.alerts.count();
    for (const client of [pki.client('web9'), pki.client('web1', 'other'), null]) {
      const sock = await tlsClient(client).catch(() => null);
      if (sock) {
        sock.on('error', () => undefined);
        sock.write(`<38>${bsdLine('web1', 'Failed password for x from 192.0.2.9 port 1 ssh2')}\n`);
        await closed(sock);
      }
    }
    await waitFor(() => (status().refused['no-certificate'] ?? 0) >= 1, 5000, 'refusals counted');
    expect(status().refused).toMatchObject({ 'unknown-host': 1, 'bad-certificate': 1, 'no-certificate': 1 });
    expect(app.alerts.count()).toBe(before);
    const viewer = await signIn(app, 'admin');
    const listed = (await app.inject({ method: 'GET', url: '/api/sources', headers: viewer.headers })).json().items as Array<{ kind: string; refused: Record<string, number>; recent_drops: Array<{ from: string; reason: string }> }>;
    const tls = listed.find((s) => s.kind === 'syslog-tls')!;
    expect(tls.refused).toMatchObject({ 'unknown-host': 1, 'bad-certificate': 1, 'no-certificate': 1 });
    expect(tls.recent_drops.map((d) => d.reason)).toEqual(expect.arrayContaining(['unknown-host', 'bad-certificate', 'no-certificate']));
    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: viewer.headers })).body;
    expect(metrics).toMatch(/portcullis_syslog_refused_total\{source="syslog-tls:127\.0\.0\.1:0",reason="unknown-host"\} 1/);
  });

  it('closes a plain-text (not TLS) sender and counts it', async () => {
    const before = app.alerts.count();
    const sock = netConnect({ host: '127.0.0.1', port });
    sock.on('error', () => undefined);
    sock.write(`<38>${bsdLine('web1', 'Failed password for p from 192.0.2.10 port 1 ssh2')}\n`);
    await new Promise<void>((r) => sock.once('close', () => r()));
    expect(status().refused['tls-handshake']).toBe(1);
    // The server learns of a client's close (the previous test's destroyed socket too) a turn
    // after the client does.
    await waitFor(() => status().connections === 0, 5000, `no open connections (now ${status().connections})`);
    expect(app.alerts.count()).toBe(before);
  });

  it('revoking a host stops its lines at once: the open connection is closed at its next line, new ones are refused', async () => {
    const web3 = app.hosts.create('web3', 'test');
    const sock = await tlsClient(pki.client('web3'));
    sock.on('error', () => undefined);
    sock.write(`<38>${bsdLine('web3', 'Failed password for c from 192.0.2.3 port 3 ssh2')}\n`);
    await waitFor(() => app.alerts.list({ limit: 10, host: 'web3' }).items.length === 1, 10_000, 'web3 alert');
    app.hosts.revoke(web3.host.name, 'test');
    sock.write(`<38>${bsdLine('web3', 'Failed password for d from 192.0.2.4 port 4 ssh2')}\n`);
    await closed(sock);
    expect(status().dropped?.['revoked-host']).toBe(1);
    // The line count comes in the thread's message after its commit (see the first test).
    await waitFor(() => app.hosts.byName('web3')!.lines === 1, 10_000, "web3's line counted");
    expect(app.hosts.byName('web3')).toMatchObject({ lines: 1, refused_lines: 1 });
    const again = await tlsClient(pki.client('web3'));
    again.on('error', () => undefined);
    again.write(`<38>${bsdLine('web3', 'Failed password for e from 192.0.2.5 port 5 ssh2')}\n`);
    await closed(again);
    expect(status().refused['revoked-host']).toBe(2);
    expect(app.alerts.list({ limit: 10, host: 'web3' }).items.length).toBe(1);
  });
});
