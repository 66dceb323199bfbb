// Starving the TCP syslog receiver with idle connections (issue 9, item 5). Before, 1,000 idle
// connections filled the global cap and a real client's lines were dropped without a trace. Now a
// sender holds at most a few connections, a full receiver evicts from the sender holding the most,
// silent or trickling connections time out, and every refusal and close is counted and shown.
// The global cap is set low here (100, 50) so the flood stays light; the mechanism is the same.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { SyslogTcpSource, type SyslogStatus } from '../../src/sources/index.js';
import { makeApp, makeEnv, signIn, syslogLine, type TestEnv } from '../server/helpers.js';
import { collect, connectFrom, waitFor, write } from '../sources/helpers.js';

type Conn = Awaited<ReturnType<typeof connectFrom>>;
const failure = (n: number): string => `<38>Mar  4 10:15:01 web1 sshd[99]: Failed password for root from 203.0.113.9 port 5012${n} ssh2\n`;

/** `perAddress` idle connections from each address; those the server turns away resolve to null. */
async function flood(port: number, addresses: string[], perAddress: number): Promise<Array<Conn | null>> {
  const out: Array<Promise<Conn | null>> = [];
  for (const a of addresses) for (let i = 0; i < perAddress; i++) out.push(connectFrom(port, a).catch(() => null));
  return Promise.all(out);
}

const others = (n: number, prefix = '127.0.1.'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
const handled = (st: SyslogStatus): number => st.connections + (st.closed.evicted ?? 0) + (st.refused['sender-limit'] ?? 0);

const open: Array<Conn | null> = [];
const stoppers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of open.splice(0)) c?.sock.destroy();
  for (const stop of stoppers.splice(0)) await stop();
});

describe('a TCP syslog receiver under an idle-connection flood', () => {
  it('keeps a connected client, and lets a new one in, while 400 idle connections hammer a cap of 100', async () => {
    const c = collect();
    const s = new SyslogTcpSource({ sink: c.sink, host: '127.0.0.1', port: 0, maxConnections: 100 });
    stoppers.push(() => s.stop());
    await s.start();
    const port = s.port!;

    // rsyslog keeps one connection open: it was there before the flood.
    const early = await connectFrom(port, '127.0.0.2');
    open.push(early);
    await write(early.sock, failure(0));
    await waitFor(() => c.lines().length === 1);

    // 200 idle from one address, 200 from 20 others.
    open.push(...(await flood(port, ['127.0.0.1'], 200)), ...(await flood(port, others(20), 10)));
    await waitFor(() => handled(s.status()) === 401, 20_000, 'every connection handled');
    const st = s.status();
    expect(st.connections).toBe(100);
    expect(st.refused['sender-limit']).toBeGreaterThanOrEqual(184);
    expect(st.closed.evicted).toBeGreaterThan(0);
    expect(st.recentDrops!.find((d) => d.from === '127.0.0.1')).toMatchObject({ reason: 'sender-limit' });

    // The early client's five failures all arrive, on the same connection.
    for (let i = 1; i <= 5; i++) await write(early.sock, failure(i));
    await waitFor(() => c.lines().length === 6, 5000, "the early client's five lines");
    expect(early.sock.destroyed).toBe(false);

    // A client that connects now, to a full receiver, is let in and heard.
    const late = await connectFrom(port, '127.0.0.3');
    open.push(late);
    for (let i = 1; i <= 5; i++) await write(late.sock, failure(i));
    await waitFor(() => c.all().filter((l) => l.location === 'syslog:127.0.0.3').length === 5, 5000, "the late client's five lines");
    expect(s.status().connections).toBe(100);
  });
});

describe('the same through the server', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  afterEach(async () => {
    for (const c of open.splice(0)) c?.sock.destroy();
    await app.close();
    env.cleanup();
  });

  it('turns a real client\'s five lines into five alerts, and shows the refusals in /api/sources and /metrics', async () => {
    env = makeEnv({
      portcullis: `<syslog protocol="tcp">
        <listen>127.0.0.1:0</listen>
        <max_connections>50</max_connections>
        <max_connections_per_sender>4</max_connections_per_sender>
      </syslog>`,
    });
    app = await makeApp(env);
    const tcp = (): SyslogStatus => app.sources.statuses().find((s) => s.kind === 'syslog-tcp') as SyslogStatus;
    const port = tcp().port!;
    open.push(...(await flood(port, ['127.0.0.1'], 100)), ...(await flood(port, others(15, '127.0.2.'), 4)));
    await waitFor(() => handled(tcp()) === 160, 20_000, 'every connection handled');

    const client = await connectFrom(port, '127.0.0.2');
    open.push(client);
    for (let i = 1; i <= 5; i++) await write(client.sock, `<13>${syslogLine(`failure seq=${i} src=10.9.0.${i}`)}\n`);
    await waitFor(() => app.alerts.count() === 5, 5000, 'five alerts');
    expect(app.alerts.list({ limit: 10 }).items.every((a) => a.location === 'syslog:127.0.0.2')).toBe(true);

    const viewer = await signIn(app, 'viewer');
    const info = (await app.inject({ method: 'GET', url: '/api/sources', headers: viewer.headers })).json().items.find((s: { kind: string }) => s.kind === 'syslog-tcp');
    expect(info).toMatchObject({
      access: "local senders only (loopback and this host's addresses)",
      connections: 50,
      refused: { 'sender-limit': expect.any(Number) },
      closed: { evicted: expect.any(Number) },
      recent_drops: expect.arrayContaining([expect.objectContaining({ from: '127.0.0.1', reason: 'sender-limit', last_at: expect.any(String) })]),
    });
    expect(info.refused['sender-limit']).toBeGreaterThanOrEqual(96);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: viewer.headers })).body;
    const id = `syslog-tcp:127.0.0.1:0`;
    expect(metrics).toMatch(new RegExp(`^portcullis_syslog_refused_total\\{source="${id}",reason="sender-limit"\\} (9[6-9]|\\d{3,})$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^portcullis_syslog_closed_total\\{source="${id}",reason="evicted"\\} [1-9]\\d*$`, 'm'));
    expect(metrics).toContain(`portcullis_syslog_connections{source="${id}"} 50`);
  });
});
