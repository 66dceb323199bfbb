// WAL checkpoints run on a thread of their own: the event loop's connection, which commits every
// batch of alerts, must not be the one copying pages back and syncing the file (it did, through
// SQLite's autocheckpoint, and held /api/health for hundreds of ms at a time in the soak).
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { makeApp, makeEnv, waitFor, type TestEnv } from './helpers.js';

let env: TestEnv;
let app: FastifyInstance;

afterEach(async () => {
  await app?.close();
  env?.cleanup();
});

describe('WAL checkpoints', () => {
  it('are done by the checkpoint thread, the writer keeping only a far safety net', async () => {
    env = makeEnv();
    app = await makeApp(env);
    expect(app.db.pragma('wal_autocheckpoint', { simple: true })).toBe(16_384);
    // Commit enough to have pages to copy: a few thousand alerts through the real pipeline.
    const now = Date.now();
    const lines = Array.from({ length: 3000 }, (_, i) => ({
      line: `Dec  3 10:00:00 host sshd[${i}]: Failed password for invalid user u${i} from 10.1.${i >> 8}.${i & 255} port 22 ssh2`,
      location: '/var/log/auth.log', receivedAt: now,
    }));
    await app.pipeline.ingest(lines);
    const before = app.checkpoints.runs;
    await waitFor(() => app.checkpoints.runs > before + 1 && app.checkpoints.last !== null && app.checkpoints.last.log === app.checkpoints.last.checkpointed);
    expect(app.checkpoints.failures).toBe(0);
    expect(app.checkpoints.last!.busy).toBe(0);
  });
});
