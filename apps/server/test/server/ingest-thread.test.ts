// What the event loop hands the ingest thread is bounded, in lines and in characters (a syslog
// message may be 64 KiB): past the bound the receivers' lines are refused (they count them as
// dropped) and /api/ingest answers 429, so a flood cannot fill the server's memory. A thread that
// ends at every start is started again after longer and longer waits.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/config/server-config.js';
import { WriteTurns } from '../../src/db/write-turns.js';
import { ALERTS_PER_MESSAGE, decodeAlerts, encodeAlerts, type RulesetData, type WireAlert } from '../../src/pipeline/ingest-protocol.js';
import { IngestThread } from '../../src/pipeline/ingest-thread.js';
import { PipelineMetrics } from '../../src/pipeline/metrics.js';
import type { PersistedAlert } from '../../src/pipeline/pipeline.js';
import { makeApp, makeEnv } from './helpers.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('the ingest thread hand-over', () => {
  it('refuses lines past 64 MiB of characters in flight, and /api/ingest answers 429', async () => {
    // Not started: whatever is handed over stays in flight.
    const thread = new IngestThread(
      { config: {} as ServerConfig, ruleset: {} as RulesetData, turns: new SharedArrayBuffer(8) },
      { rules: () => new Map(), metrics: new PipelineMetrics(), log: quiet, turns: new WriteTurns() },
    );
    const big = { line: 'x'.repeat(64 * 1024), location: 'syslog:192.0.2.1', receivedAt: 0 };
    for (let i = 0; i <= 1024; i++) thread.sink([big]);
    expect(thread.queued()).toBe(1025);
    expect(() => thread.sink([big])).toThrow(/behind/);
    await expect(thread.ingest([big])).rejects.toMatchObject({ statusCode: 429, code: 'INGEST_BUSY', headers: { 'retry-after': '1' } });
    expect(thread.queued()).toBe(1025);
  });

  it('starts a thread that ends at every start again after waits that double up to a maximum', async () => {
    const waits: number[] = [];
    const log = { ...quiet, error: (obj: object) => void ('restartInMs' in obj && waits.push(obj.restartInMs as number)) };
    // No ruleset to compile: the thread throws as it starts, every time.
    const thread = new IngestThread(
      { config: {} as ServerConfig, ruleset: {} as RulesetData, turns: new SharedArrayBuffer(8) },
      { rules: () => new Map(), metrics: new PipelineMetrics(), log, turns: new WriteTurns(), restart: { firstMs: 20, maxMs: 80 } },
    );
    void thread.start();
    for (let i = 0; i < 300 && waits.length < 5; i++) await sleep(50);
    await thread.stop();
    expect(waits.slice(0, 5)).toEqual([20, 40, 80, 80, 80]);
  });

  it('hands committed alerts over as JSON arrays that decode to exactly what was encoded', () => {
    const alerts: WireAlert[] = [
      {
        id: 7,
        record: {
          time: 1_700_000_000_123, eventTime: 1_700_000_000_000, ruleId: 5716, level: 5, description: 'sshd: authentication failed "é"',
          groups: ['syslog', 'sshd', 'authentication_failed'], decoder: 'sshd', srcip: '2001:db8::1', user: 'root', hostname: 'web1',
          programName: 'sshd', location: '/var/log/auth.log', fullLog: 'Dec  3 10:00:00 web1 sshd[1]: Failed password for root from 2001:db8::1 port 22 ssh2\u2028',
          fields: { srcip: '2001:db8::1', dstuser: 'root', 'x-odd key': '' }, host: 'web1',
        },
        rule: 5716, alertRule: 5716, srcip: '2001:db8::1', dstuser: 'root', filename: null,
      },
      {
        id: 8,
        record: {
          time: 1, eventTime: null, ruleId: 1002, level: 2, description: 'Unknown problem somewhere in the system.', groups: [], decoder: null,
          srcip: null, user: null, hostname: null, programName: null, location: 'journald', fullLog: 'x', fields: {}, host: null,
        },
        rule: null, alertRule: 1002, srcip: null, dstuser: null, filename: '/etc/passwd',
      },
    ];
    expect(decodeAlerts(encodeAlerts(alerts))).toEqual(alerts);
    expect(decodeAlerts(encodeAlerts([]))).toEqual([]);
  });

  it('hands a batch over in pieces, and its consumers still get it whole, once, in order', async () => {
    const env = makeEnv();
    const app = await makeApp(env);
    try {
      const batches: PersistedAlert[][] = [];
      app.pipeline.onPersisted((b) => batches.push([...b]));
      const n = ALERTS_PER_MESSAGE * 2 + 37;
      const lines = Array.from({ length: n }, (_, i) => ({ line: `Mar  4 10:00:00 web1 sshd[1]: Failed password for u${i} from 192.0.2.${i % 250} port 22 ssh2`, location: '/var/log/auth.log', receivedAt: Date.now() }));
      const answer = await app.pipeline.ingest(lines);
      expect(answer.alerts).toBeGreaterThanOrEqual(n);
      expect(batches).toHaveLength(1);
      expect(batches[0]!.length).toBe(answer.alerts);
      const ids = batches[0]!.map((a) => a.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      expect(batches[0]!.filter((a) => a.record.ruleId === 100101).map((a) => a.record.user)).toEqual(lines.map((_, i) => `u${i}`));
    } finally {
      await app.close();
      env.cleanup();
    }
  });
});
