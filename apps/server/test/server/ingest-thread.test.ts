// What the event loop hands the ingest thread is bounded, in lines and in characters (a syslog
// message may be 64 KiB): past the bound the receivers' lines are refused (they count them as
// dropped) and /api/ingest answers 429, so a flood cannot fill the server's memory. A thread that
// ends at every start is started again after longer and longer waits.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/config/server-config.js';
import { WriteTurns } from '../../src/db/write-turns.js';
import type { RulesetData } from '../../src/pipeline/ingest-protocol.js';
import { IngestThread } from '../../src/pipeline/ingest-thread.js';
import { PipelineMetrics } from '../../src/pipeline/metrics.js';

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
      { rules: () => new Map(), metrics: new PipelineMetrics(), log, turns: new WriteTurns(), restart: { firstMs: 20, maxMs: 80, stableMs: 60_000 } },
    );
    void thread.start();
    for (let i = 0; i < 300 && waits.length < 5; i++) await sleep(50);
    await thread.stop();
    expect(waits.slice(0, 5)).toEqual([20, 40, 80, 80, 80]);
  });
});
