// A transaction whose commit fails stores and publishes nothing; when the source sends the same
// lines again (a file keeps its position and retries) they are stored as the engine made them the
// first time, so correlation does not count them twice: the brute force comes at the same attempt
// as without the failure. The pipeline keeps nothing of the engine's (no Event) for the retry, only
// the rows and verdicts the failed transaction had.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadContext, newEngine } from '../../src/cli/context.js';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { AlertsRepository } from '../../src/modules/alerts/alerts.repository.js';
import { migrationsDir } from '../../src/paths.js';
import { PipelineMetrics } from '../../src/pipeline/metrics.js';
import { Pipeline, type PersistedAlert } from '../../src/pipeline/pipeline.js';
import type { RawLine } from '../../src/sources/index.js';
import { compatDir } from '../compat/shared.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ctx = loadContext({ home: join(compatDir, 'ossec-hids-4.2.0'), dialect: 'ossec' });
const quiet = { error: () => undefined };

function makePipeline() {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-retry-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'portcullis.db'));
  migrate(db, migrationsDir);
  const metrics = new PipelineMetrics();
  const pipeline = new Pipeline(db, new AlertsRepository(db), { engine: newEngine(ctx) }, metrics, quiet);
  const published: PersistedAlert[] = [];
  pipeline.onPersisted((batch) => published.push(...batch));
  const stored = () => db.prepare('SELECT id, rule_id, srcip, full_log, time FROM alerts ORDER BY id').all() as Array<{ id: number; rule_id: number; srcip: string | null; full_log: string; time: number }>;
  return { db, pipeline, published, stored, metrics };
}

const location = '/var/log/auth.log';
const failure = (i: number, receivedAt: number): RawLine => ({
  line: `Mar  4 18:13:${String(10 + i)} web1 sshd[22]: Failed password for root from 198.51.100.7 port ${40000 + i} ssh2`,
  location,
  receivedAt,
});
const other = (i: number, receivedAt: number): RawLine => ({ line: `Mar  4 18:14:${String(10 + i)} web1 sshd[22]: Connection closed by 192.0.2.${i} port 22`, location, receivedAt });

describe('a failed commit and its retry', () => {
  it('stores the retried lines once, as first made: correlation counts none twice', () => {
    const t = Date.UTC(2024, 2, 4, 18, 13, 0);
    const batches = [
      [failure(0, t), failure(1, t), other(0, t)],
      [failure(2, t + 1), other(1, t + 1), failure(3, t + 1), failure(4, t + 1)],
      [failure(5, t + 2), failure(6, t + 2), failure(7, t + 2), failure(8, t + 2), failure(9, t + 2)],
    ];

    // Without a failure.
    const ref = makePipeline();
    for (const b of batches) ref.pipeline.ingest(b);
    const expected = ref.stored().map((r) => [r.rule_id, r.full_log]);
    expect(expected.filter(([id]) => id === 5720).length, 'a brute force in the reference').toBeGreaterThan(0);

    // The second batch's commit fails (here: its position write, after the engine saw its lines).
    const p = makePipeline();
    p.pipeline.ingest(batches[0]!);
    const before = p.stored().length;
    expect(() =>
      p.pipeline.atomic(() => {
        p.pipeline.sink(batches[1]!);
        throw new Error('the position could not be written');
      }),
    ).toThrow('the position could not be written');
    expect(p.stored()).toHaveLength(before);
    expect(p.published).toHaveLength(before);
    expect(p.metrics.failedBatches).toBe(1);

    // The source sends the same lines again, a second later.
    p.pipeline.ingest(batches[1]!.map((l) => ({ ...l, receivedAt: l.receivedAt + 1000 })));
    p.pipeline.ingest(batches[2]!);
    const rows = p.stored();
    expect(rows.map((r) => [r.rule_id, r.full_log])).toEqual(expected);
    // Stored as first made: with their first reception time.
    expect(rows.filter((r) => r.full_log.includes('port 40002')).map((r) => r.time)).toEqual([t + 1]);
    // What the consumers got: every stored alert once, in order, with its verdict.
    expect(p.published.map((a) => a.id)).toEqual(rows.map((r) => r.id));
    for (const a of p.published) {
      expect(a.result.alertRule?.id ?? a.result.rule?.id).toBe(a.record.ruleId);
      if (a.record.srcip !== null) expect(a.result.event.srcip).toBe(a.record.srcip);
    }
  });

  it('forgets what it kept when the source moves on to other lines (they are not a retry)', () => {
    const t = Date.UTC(2024, 2, 4, 18, 13, 0);
    const p = makePipeline();
    expect(() =>
      p.pipeline.atomic(() => {
        p.pipeline.sink([failure(0, t), failure(1, t)]);
        throw new Error('failed');
      }),
    ).toThrow('failed');
    // A source without a position sends the next lines instead: they are processed, the kept ones dropped.
    p.pipeline.ingest([failure(2, t + 1)]);
    p.pipeline.ingest([failure(0, t + 2)]);
    expect(p.stored().map((r) => r.full_log.match(/port (\d+)/)![1])).toEqual(['40002', '40000']);
    // The engine saw the first two lines once already: the third failure from the address is its
    // third event, the repeated first line its fourth (no alert lost, nothing replayed from the cache).
    expect(p.metrics.events).toBe(4);
  });
});
