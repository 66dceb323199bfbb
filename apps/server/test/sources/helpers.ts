import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LineSink, RawLine } from '../../src/sources/index.js';

/** Polls `check` until it returns truthy (or stops throwing), failing after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 10_000, label = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${label}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A temp dir of its own for one test; call the returned cleanup in afterEach. */
export function makeTempDir(prefix = 'portcullis-src-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Collector {
  sink: LineSink;
  batches: RawLine[][];
  lines: () => string[];
  all: () => RawLine[];
}

export function collect(): Collector {
  const batches: RawLine[][] = [];
  return {
    sink: (lines) => void batches.push(lines),
    batches,
    lines: () => batches.flat().map((l) => l.line),
    all: () => batches.flat(),
  };
}

/**
 * A TCP connection to 127.0.0.1:`port` from `from` (any 127.x.y.z: loopback is a /8, so tests can
 * play several senders). Resolves once connected; `closed` resolves when either side closes it.
 */
export function connectFrom(port: number, from = '127.0.0.1'): Promise<{ sock: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1', localAddress: from });
    const closed = new Promise<void>((r) => sock.once('close', () => r()));
    sock.once('connect', () => {
      sock.off('error', reject);
      sock.on('error', () => undefined); // the server closing or resetting it is what some tests want
      resolve({ sock, closed });
    });
    sock.once('error', reject);
  });
}

/** Sends each message as one datagram from `from` to 127.0.0.1:`port`. */
export async function sendUdpFrom(port: number, from: string, ...messages: string[]): Promise<void> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind({ address: from, port: 0 }, () => r()));
  for (const m of messages) await new Promise<void>((resolve, reject) => sock.send(m, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  await new Promise<void>((r) => sock.close(() => r()));
}

/** Writes and waits until the data is handed to the kernel. */
export function write(sock: Socket, data: string): Promise<void> {
  return new Promise((resolve, reject) => sock.write(data, (err) => (err ? reject(err) : resolve())));
}
