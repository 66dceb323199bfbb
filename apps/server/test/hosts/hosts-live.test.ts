// The live `hosts` event on a real port: a new alert from a host, a bouncer pull and a revocation
// reach a signed-in dashboard at once (the Hosts page refetches on it instead of waiting for its
// timer); changes in a burst are coalesced into one event naming each host once.
import type { AddressInfo } from 'node:net';
import type { LiveHostsChange } from '@portcullis/shared';
import type { FastifyInstance } from 'fastify';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { makeEnv, signIn, testConfig, type SignedIn, type TestEnv } from '../server/helpers.js';

let env: TestEnv;
let app: FastifyInstance;
let url: string;
let viewer: SignedIn;
let socket: Socket;
const events: LiveHostsChange[] = [];
let key1: string;

beforeAll(async () => {
  env = makeEnv();
  app = await buildApp(testConfig(env));
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  viewer = await signIn(app, 'viewer');
  key1 = app.hosts.create('web1', 'test').apiKey;
  app.hosts.create('web2', 'test');
  socket = io(url, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: viewer.cookie } });
  socket.on('hosts', (c: LiveHostsChange) => events.push(c));
  await new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(undefined));
    socket.once('connect_error', reject);
  });
});
afterAll(async () => {
  socket?.close();
  await app?.close();
  env?.cleanup();
});

/** The next `hosts` event that names `name`. */
function next(name: string): Promise<LiveHostsChange> {
  return new Promise((resolve) => {
    const fn = (c: LiveHostsChange): void => {
      if (!c.names.includes(name)) return;
      socket.off('hosts', fn);
      resolve(c);
    };
    socket.on('hosts', fn);
  });
}

describe('live hosts event', () => {
  it("names the host of a new alert, a bouncer's pull and a revoked host", async () => {
    const alert = next('web1');
    await app.pipeline.ingest([{ line: 'Mar  4 10:15:01 web1 testapp[1]: e seq=1 src=10.0.1.1 CRITICAL', location: '/var/log/app.log', receivedAt: Date.now(), host: 'web1' }]);
    expect((await alert).names).toContain('web1');

    const pulled = next('web1');
    const res = await fetch(`${url}/v1/decisions/stream?startup=true`, { headers: { 'x-api-key': key1 } });
    expect(res.status).toBe(200);
    await res.text();
    await pulled;
    expect(app.hosts.byName('web1')!.last_pull_at).not.toBeNull();

    const revoked = next('web2');
    app.hosts.revoke('web2', 'test');
    expect((await revoked).names).toEqual(['web2']);
  });

  it('coalesces a burst of 51 changes into at most two events (the first at once, the rest at the end of the second)', async () => {
    const before = events.length;
    const done = next('web2');
    const id = app.hosts.byName('web1')!.id;
    for (let i = 0; i < 50; i++) app.hosts.recordLines(id, 1, Date.now());
    app.hosts.recordRefusedLines('web2', 1);
    await done;
    const burst = events.slice(before);
    expect(burst.length).toBeLessThanOrEqual(2);
    expect(burst.at(-1)!.names).toContain('web2');
    expect(burst.flatMap((c) => c.names).filter((n) => n === 'web1').length).toBeLessThanOrEqual(2);
  });
});
