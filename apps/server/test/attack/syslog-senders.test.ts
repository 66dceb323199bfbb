// Anyone who could reach the syslog port could feed the rules and so get addresses blocked (issue 9,
// item 6). Receivers now take OSSEC's <allowed-ips>/<denied-ips> (deny wins), default to this
// host's own senders, say so at start-up, and count and show every refused sender.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { RulesetError } from '@portcullis/engine';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import type { SyslogStatus } from '../../src/sources/index.js';
import { makeEnv, signIn, syslogLine, testConfig, type TestEnv } from '../server/helpers.js';
import { connectFrom, sendUdpFrom, waitFor, write } from '../sources/helpers.js';

let env: TestEnv;
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  env.cleanup();
});

/** Builds the server with its log captured. */
async function start(portcullis: string): Promise<{ app: FastifyInstance; log: string[] }> {
  env = makeEnv({ portcullis });
  const log: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => { log.push(String(JSON.parse(chunk.toString()).msg)); done(); } });
  app = await buildApp(testConfig(env), { logger: { level: 'info', stream }, webRoot: path.join(env.dir, 'no-web') });
  await app.ready();
  return { app, log };
}

const critical = (from: string): string => `<13>${syslogLine(`from ${from} seq=1 src=10.9.0.1 CRITICAL`)}\n`;

describe('syslog receivers with allowed-ips and denied-ips', () => {
  it('alert only on allowed senders over UDP and TCP, refuse the others (deny wins), and count them', async () => {
    const lists = '<allowed-ips>127.0.0.0/24</allowed-ips><allowed-ips>::ffff:127.0.9.0/120</allowed-ips><denied-ips>127.0.0.66</denied-ips>';
    ({ app } = await start(`<syslog protocol="udp"><listen>127.0.0.1:0</listen>${lists}</syslog>
      <syslog protocol="tcp"><listen>127.0.0.1:0</listen>${lists}</syslog>`));
    const st = (kind: string): SyslogStatus => app!.sources.statuses().find((s) => s.kind === kind) as SyslogStatus;
    const udpPort = st('syslog-udp').port!;
    const tcpPort = st('syslog-tcp').port!;

    for (const from of ['127.0.1.5', '127.0.0.66', '127.0.9.9', '127.0.0.1']) await sendUdpFrom(udpPort, from, critical(from));
    for (const from of ['127.0.1.5', '127.0.0.66', '127.0.9.9', '127.0.0.1']) {
      const c = await connectFrom(tcpPort, from);
      await write(c.sock, critical(from)).catch(() => undefined); // a refused connection may be reset already
      c.sock.end();
      await c.closed;
    }
    await waitFor(() => app!.alerts.count() === 4, 5000, 'four alerts');
    await waitFor(() => st('syslog-udp').refused.denied === 1 && st('syslog-tcp').refused.denied === 1);
    expect(app.alerts.list({ limit: 10 }).items.map((a) => a.full_log.match(/from (\S+)/)![1]).sort()).toEqual(['127.0.0.1', '127.0.0.1', '127.0.9.9', '127.0.9.9']);
    for (const kind of ['syslog-udp', 'syslog-tcp']) {
      expect(st(kind).refused).toEqual({ 'not-allowed': 1, denied: 1 });
      expect(st(kind).recentDrops!.map((d) => `${d.from} ${d.reason}`)).toEqual(['127.0.0.66 denied', '127.0.1.5 not-allowed']);
    }
    const viewer = await signIn(app, 'viewer');
    const items = (await app.inject({ method: 'GET', url: '/api/sources', headers: viewer.headers })).json().items;
    expect(items.find((s: { kind: string }) => s.kind === 'syslog-udp')).toMatchObject({
      access: 'allowed 127.0.0.0/24, ::ffff:127.0.9.0/120; denied 127.0.0.66',
      refused: { 'not-allowed': 1, denied: 1 },
      recent_drops: [expect.objectContaining({ from: '127.0.0.66', reason: 'denied', count: 1 }), expect.objectContaining({ from: '127.0.1.5', reason: 'not-allowed' })],
    });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: viewer.headers })).body;
    expect(metrics).toContain('portcullis_syslog_refused_total{source="syslog-udp:127.0.0.1:0",reason="denied"} 1');
    expect(metrics).toContain('portcullis_syslog_refused_total{source="syslog-tcp:127.0.0.1:0",reason="not-allowed"} 1');
  });

  it('takes only local senders without allowed-ips and says so at start-up; logs refusals as a summary, not one line each', async () => {
    let log: string[];
    ({ app, log } = await start('<syslog protocol="udp">127.0.0.1:0</syslog><syslog protocol="tcp"><listen>127.0.0.1:0</listen><allowed-ips>127.0.0.1</allowed-ips></syslog>'));
    expect(log).toContain('syslog 127.0.0.1:0 accepts only local senders; add <allowed-ips> to the <syslog> element to accept other hosts');
    expect(log).toContain('syslog 127.0.0.1:0: allowed 127.0.0.1');
    const st = (kind: string): SyslogStatus => app!.sources.statuses().find((s) => s.kind === kind) as SyslogStatus;
    expect(st('syslog-udp').access).toBe("local senders only (loopback and this host's addresses)");

    const refused = await Promise.all(Array.from({ length: 30 }, () => connectFrom(st('syslog-tcp').port!, '127.0.0.2')));
    await Promise.all(refused.map((c) => c.closed));
    expect(st('syslog-tcp').refused).toEqual({ 'not-allowed': 30 });
    const summaries = (): string[] => log.filter((l) => l.startsWith('source syslog-tcp:127.0.0.1:0 turned away: '));
    await waitFor(() => summaries().length > 0, 5000, 'the summary line');
    expect(summaries().length).toBeLessThanOrEqual(2); // at most one per 10 s, and the flood took less
    expect(summaries()[0]).toMatch(/^source syslog-tcp:127\.0\.0\.1:0 turned away: \d+ connections refused \(not-allowed\); recent: 127\.0\.0\.2 \(not-allowed, \d+\)$/);
  });

  it('reads an OSSEC <remote> syslog block, one receiver per protocol', async () => {
    env = makeEnv();
    writeFileSync(env.configPath, `<ossec_config>
  <remote><connection>secure</connection><port>1514</port></remote>
  <remote>
    <connection>syslog</connection>
    <port>5514</port>
    <protocol>tcp,udp</protocol>
    <local_ip>127.0.0.1</local_ip>
    <allowed-ips>192.0.2.0/24</allowed-ips>
    <denied-ips>192.0.2.66</denied-ips>
  </remote>
</ossec_config>
`);
    const cfg = resolveServerConfig({ config: env.configPath }, {});
    expect(cfg.syslog).toEqual([
      { protocol: 'tcp', host: '127.0.0.1', port: 5514, allowedIps: ['192.0.2.0/24'], deniedIps: ['192.0.2.66'] },
      { protocol: 'udp', host: '127.0.0.1', port: 5514, allowedIps: ['192.0.2.0/24'], deniedIps: ['192.0.2.66'] },
    ]);
  });

  it('takes the lists from PORTCULLIS_SYSLOG_ALLOWED_IPS / _DENIED_IPS for every receiver', () => {
    env = makeEnv({ portcullis: '<syslog protocol="udp"><listen>0.0.0.0:514</listen><allowed-ips>10.0.0.0/8</allowed-ips></syslog>' });
    const cfg = resolveServerConfig({ config: env.configPath }, {
      PORTCULLIS_SYSLOG: 'udp:0.0.0.0:514,tcp:0.0.0.0:514', PORTCULLIS_SYSLOG_ALLOWED_IPS: '192.0.2.0/24, 2001:db8::/32', PORTCULLIS_SYSLOG_DENIED_IPS: '192.0.2.66',
    });
    expect(cfg.syslog.map((s) => [s.protocol, s.allowedIps, s.deniedIps])).toEqual([
      ['udp', ['192.0.2.0/24', '2001:db8::/32'], ['192.0.2.66']],
      ['tcp', ['192.0.2.0/24', '2001:db8::/32'], ['192.0.2.66']],
    ]);
    expect(() => resolveServerConfig({ config: env.configPath }, { PORTCULLIS_SYSLOG_ALLOWED_IPS: '10.0.0.0/8,10.0.0.999' })).toThrow(
      'PORTCULLIS_SYSLOG_ALLOWED_IPS item "10.0.0.999" is not an IP address or network',
    );
  });

  it('rejects a bad entry with the file, line, column and value', () => {
    // [config, the message, the element the error points at]
    const cases: Array<[string, string, string]> = [
      ['<syslog protocol="udp">\n      <listen>0.0.0.0:514</listen>\n      <allowed-ips>10.0.0.300</allowed-ips></syslog>', '<allowed-ips>: "10.0.0.300" is not an IP address or network', '<allowed-ips>'],
      ['<syslog protocol="tcp"><listen>0.0.0.0:514</listen><denied-ips>10.0.0.0/40</denied-ips></syslog>', '<denied-ips>: "10.0.0.0/40": prefix length 40 is longer than 32', '<denied-ips>'],
      ['<syslog protocol="udp"><listen>0.0.0.0:514</listen><max_connections>5</max_connections></syslog>', '<max_connections> is for <syslog protocol="tcp"> only', '<max_connections>'],
      ['<syslog protocol="tcp"><listen>0.0.0.0:514</listen><idle_timeout>soon</idle_timeout></syslog>', '<idle_timeout> must be a number of seconds > 0, not "soon"', '<idle_timeout>'],
      ['<syslog protocol="tcp"><allowed-ips>any</allowed-ips></syslog>', '<syslog> needs its address, HOST:PORT, as its text or in <listen>', '<syslog'],
      ['<syslog protocol="tcp"><listen>0.0.0.0:514</listen><allowed_ips>10.0.0.1</allowed_ips></syslog>', 'unknown element <allowed_ips> in <syslog>', '<allowed_ips>'],
      ['<syslog protocol="tcp"><listen>0.0.0.0:99999</listen></syslog>', 'syslog address "0.0.0.0:99999": port must be 0-65535', '<listen>'],
    ];
    env = makeEnv();
    for (const [xml, message, at] of cases) {
      env.cleanup();
      env = makeEnv({ portcullis: `    ${xml}` });
      const text = readFileSync(env.configPath, 'utf8');
      const before = text.slice(0, text.indexOf(at));
      const where = [env.configPath, before.split('\n').length, before.length - before.lastIndexOf('\n')];
      let err: unknown;
      try {
        resolveServerConfig({ config: env.configPath }, {});
      } catch (e) {
        err = e;
      }
      expect(err, xml).toBeInstanceOf(RulesetError);
      expect((err as RulesetError).message).toContain(message);
      expect([(err as RulesetError).file, (err as RulesetError).line, (err as RulesetError).column], xml).toEqual(where);
    }
  });
});
