// The socket.io live feed on a real port: signed in with the session cookie, filtered per
// client, and a flood sent in capped batches that say how many alerts were skipped.
import type { AddressInfo } from 'node:net';
import type { LiveAlertBatch, LiveFilter } from '@portcullis/shared';
import type { FastifyInstance } from 'fastify';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { makeEnv, signIn, sleep, testConfig, token, waitFor, type SignedIn, type TestEnv } from './helpers.js';

describe('live feed', () => {
  let env: TestEnv;
  let app: FastifyInstance;
  let url: string;
  let viewer: SignedIn;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    env = makeEnv();
    app = await buildApp(testConfig(env, { live: { intervalMs: 100, maxPerInterval: 50 } }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    viewer = await signIn(app, 'viewer');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await app.close();
    env.cleanup();
  });

  function connect(options: { cookie?: string; token?: string } = {}): Promise<{ socket: Socket; batches: LiveAlertBatch[] }> {
    const socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      ...(options.cookie ? { extraHeaders: { cookie: options.cookie } } : {}),
      ...(options.token ? { auth: { token: options.token } } : {}),
    });
    sockets.push(socket);
    const batches: LiveAlertBatch[] = [];
    socket.on('alerts', (b: LiveAlertBatch) => batches.push(b));
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve({ socket, batches }));
      socket.once('connect_error', reject);
    });
  }

  async function setFilter(socket: Socket, filter: LiveFilter): Promise<void> {
    const ok = new Promise((r) => socket.once('filter:ok', r));
    socket.emit('filter', filter);
    await ok;
  }

  const ingest = (lines: string[]): void => void app.pipeline.ingest(lines.map((line) => ({ line, location: 'live-test', receivedAt: Date.now() })));
  const event = (i: number, extra = ''): string => `Mar  4 10:15:01 web1 testapp[1]: e seq=${i} src=10.0.${i % 2}.1 ${extra}`;

  it('refuses a socket without a session, and one whose session is not ours', async () => {
    await expect(connect()).rejects.toThrow('UNAUTHENTICATED');
    await expect(connect({ cookie: 'portcullis_session=forged' })).rejects.toThrow('UNAUTHENTICATED');
    await expect(connect({ token: token(app, 'ingest') })).rejects.toThrow('FORBIDDEN');
  });

  it('pushes committed alerts to each client through its own filter', async () => {
    const all = await connect({ cookie: viewer.cookie });
    const high = await connect({ token: token(app, 'viewer') });
    await setFilter(high.socket, { level_min: 10, srcip: '10.0.1.1' });
    ingest([event(1), event(2), event(3, 'CRITICAL'), event(4, 'CRITICAL')]);
    await waitFor(() => all.batches.flatMap((b) => b.items).length === 4, 3000, 'four alerts');
    await sleep(250);
    const got = high.batches.flatMap((b) => b.items);
    expect(got.map((a) => a.fields.id)).toEqual(['3']);
    expect(got[0]).toMatchObject({ rule_id: 100201, level: 12, srcip: '10.0.1.1', location: 'live-test' });
  });

  it('sends a flood of 10,000 alerts as capped batches and says how many it skipped', async () => {
    const client = await connect({ cookie: viewer.cookie });
    const flood: string[] = [];
    for (let i = 0; i < 10_000; i++) flood.push(event(i));
    ingest(flood);
    await waitFor(() => client.batches.reduce((n, b) => n + b.items.length + b.skipped, 0) === 10_000, 5000, 'the flood accounted for');
    expect(Math.max(...client.batches.map((b) => b.items.length))).toBeLessThanOrEqual(50);
    const skipped = client.batches.reduce((n, b) => n + b.skipped, 0);
    expect(skipped).toBeGreaterThan(9000);
  });

  it('disconnects the sockets of a session that signs out', async () => {
    const me = await signIn(app, 'viewer');
    const { socket } = await connect({ cookie: me.cookie });
    const gone = new Promise((r) => socket.once('disconnect', r));
    await app.inject({ method: 'DELETE', url: '/api/session', headers: me.headers });
    await gone;
    expect(socket.connected).toBe(false);
  });
});
