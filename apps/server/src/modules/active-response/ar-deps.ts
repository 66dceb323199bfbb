// What the active-response parts share: repositories, the runner, the log, the current policy,
// the clock, and the two ways out (publish a changed block, record an audit entry).
import type { Db } from '../../db/database.js';
import type { AuditInput } from '../audit/audit.repository.js';
import type { ArLogSink } from './ar-log.js';
import type { BlockDeliveriesRepository } from './block-deliveries.repository.js';
import type { TargetHost } from './targets.js';
import type { ArRunsRepository } from './ar-runs.repository.js';
import type { BlockRow, BlocksRepository } from './blocks.repository.js';
import type { ArPolicy } from './policy.js';
import type { Protection } from './protection.js';
import type { ScriptRunner } from './script-runner.js';

export interface ArLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ArDeps {
  db: Db;
  blocks: BlocksRepository;
  runs: ArRunsRepository;
  /** Target hosts of blocks (many hosts) and whether their bouncers pulled them. */
  deliveries: BlockDeliveriesRepository;
  /** The active registered hosts (many hosts); none = the server alone, as before. */
  activeHosts: () => TargetHost[];
  runner: ScriptRunner;
  arLog: ArLogSink;
  /** The current policy (commands, bindings, white list); changes on reload. */
  policy: () => ArPolicy;
  protection: Protection;
  now: () => number;
  hostname: string;
  log: ArLogger;
  /** Called after the commit of every change of a block (socket.io `block`). Must not throw. */
  publish: (row: BlockRow) => void;
  /** Called inside the transaction of a change made by a person (API, CLI). */
  audit: (entry: AuditInput) => void;
}

/** Who did something: a user, a CLI user, or a rule; and from where. */
export interface ArActor {
  name: string | null;
  ip: string | null;
}

export const quietLogger: ArLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function firstLine(text: string, max = 200): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line.trim();
}

/** OSSEC's alert id, `<seconds>.<id>`, or null for a block without an alert. */
export function ossecAlertId(row: BlockRow): string | null {
  return row.alert_id === null ? null : `${Math.floor(row.created_at / 1000)}.${row.alert_id}`;
}
