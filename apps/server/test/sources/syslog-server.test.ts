import { execFile, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SyslogTcpSource, SyslogUdpSource, type SyslogTcpOptions } from '../../src/sources/index.js';
import { collect, connectFrom, sendUdpFrom, sleep, waitFor, write } from './helpers.js';

const run = promisify(execFile);
/** util-linux's `logger` with --server (Debian: bsdutils, installed by npm test): without it the test fails, saying so. */
function requireLogger(): void {
  let help = '';
  try {
    help = execFileSync('logger', ['--help'], { encoding: 'utf8' });
  } catch {
    // not installed: said below
  }
  if (!help.includes('--server')) throw new Error("needs util-linux's logger with --server: apt-get install -y bsdutils (npm test installs it with scripts/ensure.mjs --test)");
}

const sources: Array<SyslogUdpSource | SyslogTcpSource> = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

async function udp(opts: Partial<SyslogTcpOptions> = {}) {
  const c = collect();
  const s = new SyslogUdpSource({ sink: c.sink, host: '127.0.0.1', port: 0, ...opts });
  sources.push(s);
  await s.start();
  return { s, c, port: s.port! };
}

async function tcp(opts: Partial<SyslogTcpOptions> = {}) {
  const c = collect();
  const s = new SyslogTcpSource({ sink: c.sink, host: '127.0.0.1', port: 0, backoff: { initialMs: 50, maxMs: 200 }, ...opts });
  sources.push(s);
  await s.start();
  return { s, c, port: s.port! };
}

function sendUdp(port: number, ...messages: Array<string | Buffer>): Promise<void> {
  const sock = createSocket('udp4');
  return new Promise((resolve, reject) => {
    let left = messages.length;
    for (const m of messages) {
      sock.send(m, port, '127.0.0.1', (err) => {
        if (err) reject(err);
        if (--left === 0) {
          sock.close();
          resolve();
        }
      });
    }
  });
}

function openTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1' }, () => resolve(sock));
    sock.on('error', reject);
  });
}

async function sendTcp(port: number, ...chunks: Array<string | Buffer>): Promise<void> {
  const sock = await openTcp(port);
  for (const chunk of chunks) {
    await new Promise<void>((r) => sock.write(chunk, () => r()));
    await sleep(5); // separate segments, to exercise reassembly
  }
  await new Promise<void>((r) => sock.end(() => r()));
}

const stamp = String.raw`[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d`;

describe('SyslogUdpSource', () => {
  it('binds port 0 and reports the bound port', async () => {
    const { s, port } = await udp();
    expect(port).toBeGreaterThan(0);
    expect(s.status()).toMatchObject({ kind: 'syslog-udp', state: 'running', port, target: `127.0.0.1:${port}` });
    await s.stop();
    expect(s.status()).toMatchObject({ state: 'stopped', port: null });
  });

  it('receives RFC 3164 and RFC 5424 messages from logger', async () => {
    requireLogger();
    const { c, port } = await udp();
    await run('logger', ['--server', '127.0.0.1', '--port', String(port), '--udp', '--rfc3164', '-t', 'sshd', 'Failed password for root from 203.0.113.9 port 50122 ssh2']);
    await run('logger', ['--server', '127.0.0.1', '--port', String(port), '--udp', '--rfc5424', '-t', 'app', 'structured hello']);
    await waitFor(() => c.lines().length === 2);
    expect(c.lines()[0]).toMatch(new RegExp(`^${stamp} \\S+ sshd: Failed password for root from 203\\.0\\.113\\.9 port 50122 ssh2$`));
    expect(c.lines()[1]).toMatch(new RegExp(`^${stamp} \\S+ app: structured hello$`));
    expect(c.all()[0]!.location).toBe('syslog:127.0.0.1');
  });

  it('batches datagrams, cuts oversize ones, and survives garbage', async () => {
    const { s, c, port } = await udp({ maxFrameBytes: 64 });
    const garbage = [Buffer.from([0xff, 0xfe, 0x00, 0x3c]), Buffer.from('<13>1 [[[['), Buffer.alloc(0), Buffer.from('\n')];
    await sendUdp(port, ...garbage, `<13>Mar  4 10:15:01 h p: ${'x'.repeat(200)}`);
    await sendUdp(port, ...Array.from({ length: 50 }, (_, i) => `<13>Mar  4 10:15:01 web1 sshd[1]: message ${i}`));
    await waitFor(() => c.lines().filter((l) => l.includes('message')).length === 50);
    expect(s.status().truncated).toBe(1);
    expect(c.lines().find((l) => l.includes('xxx'))).toBe(`Mar  4 10:15:01 h p: ${'x'.repeat(64 - 25)}`);
    expect(c.batches.length).toBeLessThan(c.lines().length);
    expect(s.status().state).toBe('running');
  });
});

describe('SyslogTcpSource', () => {
  it('receives newline-framed and octet-counted messages from logger, with structured data', async () => {
    requireLogger();
    const { c, port } = await tcp();
    const base = ['--server', '127.0.0.1', '--port', String(port), '--tcp'];
    await run('logger', [...base, '--rfc3164', '-t', 'sshd', 'newline framed']);
    await run('logger', [...base, '--rfc5424', '--octet-count', '-t', 'sshd', 'octet counted']);
    await run('logger', [...base, '--rfc5424', '--sd-id', 'origin@32473', '--sd-param', 'ip="10.0.0.1"', '-t', 'web', 'with sd']);
    await waitFor(() => c.lines().length === 3);
    expect(c.lines()[0]).toMatch(new RegExp(`^${stamp} \\S+ sshd: newline framed$`));
    expect(c.lines()[1]).toMatch(new RegExp(`^${stamp} \\S+ sshd: octet counted$`));
    expect(c.lines()[2]).toMatch(new RegExp(`^${stamp} \\S+ web: with sd$`));
    expect(c.all().every((l) => l.location === 'syslog:127.0.0.1')).toBe(true);
  });

  it('handles many concurrent connections with split, mixed framing', async () => {
    const { s, c, port } = await tcp({ maxConnectionsPerSender: 40 });
    const frame = (conn: number, i: number): string => {
      const msg = `<38>1 2024-03-04T10:15:01Z host${conn} sshd ${i} - [meta n="${i}"] conn ${conn} msg ${i}`;
      return i % 2 === 0 ? `${Buffer.byteLength(msg)} ${msg}` : `${msg}\n`;
    };
    await Promise.all(
      Array.from({ length: 40 }, async (_, conn) => {
        const stream = Array.from({ length: 25 }, (_, i) => frame(conn, i)).join('');
        const third = Math.floor(stream.length / 3);
        await sendTcp(port, stream.slice(0, third), stream.slice(third, 2 * third), stream.slice(2 * third));
      }),
    );
    await waitFor(() => c.lines().length === 1000, 5000, '1000 lines');
    for (let conn = 0; conn < 40; conn++) {
      const mine = c.lines().filter((l) => l.includes(` host${conn} `));
      expect(mine).toEqual(Array.from({ length: 25 }, (_, i) => expect.stringMatching(new RegExp(`^${stamp} host${conn} sshd\\[${i}\\]: conn ${conn} msg ${i}$`))));
    }
    await waitFor(() => s.status().connections === 0);
  });

  it('cuts and counts oversize frames and keeps the stream in step', async () => {
    const { s, c, port } = await tcp({ maxFrameBytes: 100 });
    const big = `<13>Mar  4 10:15:01 h p: ${'A'.repeat(500)}`;
    await sendTcp(port, `${big.length} ${big}`, `${big} sshd[1]: forged\n`, '<13>Mar  4 10:15:01 h p: after\n');
    await waitFor(() => c.lines().includes('Mar  4 10:15:01 h p: after'));
    expect(c.lines()).toHaveLength(3);
    expect(c.lines()[0]).toBe(`Mar  4 10:15:01 h p: ${'A'.repeat(100 - 25)}`);
    expect(s.status().truncated).toBe(2);
  });

  it('closes idle connections, handing on an unterminated last message', async () => {
    const { s, c, port } = await tcp({ idleTimeoutMs: 100 });
    const sock = await openTcp(port);
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.write('<13>Mar  4 10:15:01 h p: no newline');
    await closed;
    expect(c.lines()).toEqual(['Mar  4 10:15:01 h p: no newline']);
    await waitFor(() => s.status().connections === 0);
  });

  it('survives garbage and resets', async () => {
    const { s, c, port } = await tcp();
    const sock = await openTcp(port);
    sock.write(Buffer.from([0x00, 0xff, 0x31, 0x32, 0x20, 0x0a, 0xc3, 0x28, 0x0a]));
    sock.write('99999999999999 <13>\n');
    await sleep(20);
    sock.resetAndDestroy();
    await sendTcp(port, '<13>Mar  4 10:15:01 h p: still alive\n');
    await waitFor(() => c.lines().includes('Mar  4 10:15:01 h p: still alive'));
    expect(s.status().state).toBe('running');
  });

  it('fails on a taken port without throwing, then binds once it is free', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as { port: number }).port;
    const { s } = await tcp({ port: taken });
    expect(s.status()).toMatchObject({ state: 'failed', port: null });
    expect(s.status().lastError).toMatch(/EADDRINUSE/);
    await new Promise<void>((r) => blocker.close(() => r()));
    await waitFor(() => s.status().state === 'running', 3000, 'rebind');
    expect(s.port).toBe(taken);
  });
});

describe('who may send (allowed-ips, denied-ips)', () => {
  const msg = (n: string): string => `<38>Mar  4 10:15:01 web1 sshd[99]: Failed password for root from 203.0.113.9 port 50122 ssh2 ${n}\n`;

  it('UDP: takes only allowed senders, deny wins, and counts and remembers the refused', async () => {
    const { s, c, port } = await udp({ allowedIps: ['127.0.0.0/24'], deniedIps: ['::ffff:127.0.0.66'] });
    await sendUdpFrom(port, '127.0.1.5', msg('not allowed'), msg('not allowed again'));
    await sendUdpFrom(port, '127.0.0.66', msg('denied'));
    await sendUdpFrom(port, '127.0.0.1', msg('allowed'));
    await waitFor(() => c.lines().length === 1 && s.status().refused['not-allowed'] === 2 && s.status().refused.denied === 1);
    expect(c.lines()[0]).toMatch(/ allowed$/);
    expect(c.all()[0]!.location).toBe('syslog:127.0.0.1');
    expect(s.status().recentDrops!.map((d) => [d.from, d.reason, d.count])).toEqual([['127.0.0.66', 'denied', 1], ['127.0.1.5', 'not-allowed', 2]]);
    expect(s.status().access).toBe('allowed 127.0.0.0/24; denied ::ffff:127.0.0.66');
  });

  it('TCP: closes connections from senders that may not send, before reading them', async () => {
    const { s, c, port } = await tcp({ allowedIps: ['127.0.0.1'], deniedIps: ['127.0.0.1'] });
    const denied = await connectFrom(port, '127.0.0.1');
    const stranger = await connectFrom(port, '127.0.0.2');
    await Promise.all([denied.closed, stranger.closed]);
    expect(s.status().refused).toEqual({ denied: 1, 'not-allowed': 1 });
    const ok = await tcp({ allowedIps: ['127.0.0.2'] });
    const allowed = await connectFrom(ok.port, '127.0.0.2');
    await write(allowed.sock, msg('from an allowed sender'));
    await waitFor(() => ok.c.lines().length === 1);
    expect(ok.s.status().refused).toEqual({});
    expect(c.lines()).toEqual([]);
  });
});

describe('TCP limits', () => {
  it('caps connections per sender and counts the refused, other senders unaffected', async () => {
    const { s, c, port } = await tcp({ maxConnectionsPerSender: 3 });
    const mine = await Promise.all(Array.from({ length: 5 }, () => connectFrom(port, '127.0.0.1')));
    await waitFor(() => s.status().refused['sender-limit'] === 2 && s.status().connections === 3);
    const other = await connectFrom(port, '127.0.0.2');
    await write(other.sock, '<13>Mar  4 10:15:01 h p: other sender\n');
    await waitFor(() => c.lines().length === 1);
    expect(s.status().connections).toBe(4);
    expect(s.status().recentDrops).toEqual([expect.objectContaining({ from: '127.0.0.1', reason: 'sender-limit', count: 2 })]);
    for (const m of mine) m.sock.destroy();
  });

  it('closes a connection that sends nothing, and one that trickles bytes without finishing a message, and counts why', async () => {
    const { s, c, port } = await tcp({ firstByteTimeoutMs: 300, idleTimeoutMs: 1500 });
    const silent = await Promise.all(Array.from({ length: 5 }, (_, i) => connectFrom(port, `127.0.3.${i + 1}`)));
    const trickle = await connectFrom(port, '127.0.0.2');
    const talker = await connectFrom(port, '127.0.0.3');
    const say = (): boolean => talker.sock.write('<13>Mar  4 10:15:01 h p: still here\n');
    trickle.sock.write('x');
    say();
    const drip = setInterval(() => trickle.sock.write('x'), 30);
    const talk = setInterval(say, 100);
    try {
      await Promise.all(silent.map((x) => x.closed));
      await trickle.closed;
    } finally {
      clearInterval(drip);
      clearInterval(talk);
    }
    expect(s.status().closed).toEqual({ 'first-byte-timeout': 5, 'idle-timeout': 1 });
    expect(talker.sock.destroyed).toBe(false);
    expect(s.status().connections).toBe(1);
    expect(c.lines().filter((l) => l.endsWith('still here')).length).toBeGreaterThan(0);
    talker.sock.destroy();
  });
});
