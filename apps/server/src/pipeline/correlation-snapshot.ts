// Correlation state across a graceful restart. On close the running engine's state is written to
// the data dir (0600: it holds log lines, atomically: a crash mid-write leaves no half file); at
// start it is restored rule by rule (same id, same source text) and the file deleted at once, so a
// later crash cannot bring back stale counts. After a crash (SIGKILL, power cut) there is no file:
// counting starts over, as OSSEC's analysisd does.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CorrelationSnapshot, Engine, RestoreResult } from '@portcullis/engine';
import { writeFileAtomic } from '../config/atomic-write.js';

export const SNAPSHOT_FILE = 'correlation-state.json';

export interface SnapshotLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function snapshotPath(dataDir: string): string {
  return join(dataDir, SNAPSHOT_FILE);
}

/** Writes the engine's correlation state. Callers must have stopped feeding the engine. */
export function saveCorrelationState(dataDir: string, engine: Engine): { events: number; rules: number } {
  const snap = engine.snapshotState();
  writeFileAtomic(snapshotPath(dataDir), JSON.stringify(snap), 0o600);
  return { events: snap.events.length, rules: snap.rules.length };
}

/**
 * Restores the state written by the last graceful close, if any, and deletes the file whatever
 * happens (a file that cannot be read is reported, not retried at every start). Returns null when
 * there was nothing to restore.
 */
export function restoreCorrelationState(dataDir: string, engine: Engine, log: SnapshotLogger): RestoreResult | null {
  const file = snapshotPath(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    log.error({ err, file }, `correlation state not restored: cannot read ${file}: ${(err as Error).message}`);
    return null;
  }
  try {
    const result = engine.restoreState(JSON.parse(text) as CorrelationSnapshot);
    log.info({ file, ...result }, `correlation state restored from the last graceful stop: ${result.kept} rules, ${result.events} events (${result.dropped} rules changed since, started over)`);
    return result;
  } catch (err) {
    log.error({ err, file }, `correlation state not restored: ${file} is not a valid snapshot: ${(err as Error).message}`);
    return null;
  } finally {
    rmSync(file, { force: true });
  }
}
