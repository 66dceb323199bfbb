// Active response assembled from its parts, for the server plugin and for the CLI's break-glass
// mode alike: repositories on the given database, the runner on the active-response directory,
// the log in the data dir, the service (decisions, timer), the queries and the reconciler.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../db/database.js';
import type { AuditInput } from '../audit/audit.repository.js';
import { ArLog } from './ar-log.js';
import { HostsRepository } from '../hosts/hosts.repository.js';
import { ArRunsRepository, type RunOutcome } from './ar-runs.repository.js';
import { BlockDeliveriesRepository } from './block-deliveries.repository.js';
import { quietLogger, type ArDeps, type ArLogger } from './ar-deps.js';
import type { BlockRow } from './blocks.repository.js';
import { BlocksRepository } from './blocks.repository.js';
import { BlocksQueries } from './blocks.queries.js';
import { BlocksService } from './blocks.service.js';
import { ManualBlocks } from './manual-blocks.js';
import type { ArPolicy } from './policy.js';
import { Protection } from './protection.js';
import { reconcile, type ReconcileReport } from './reconcile.js';
import { ScriptRunner } from './script-runner.js';
import type { SpawnJob } from './spawn-run.js';

export interface ActiveResponseOptions {
  db: Db;
  /** The active-response directory (scripts are run from here only). */
  arDir: string;
  /** The data dir: `logs/active-responses.log` is written under it. */
  dataDir: string;
  policy: () => ArPolicy;
  /** Protect loopback, this host's addresses and signed-in admins' addresses. */
  adminProtection: boolean;
  adminAddresses?: () => Iterable<string>;
  hostAddresses?: () => Iterable<string>;
  /** The environment scripts run with (PATH, firewall backend…). `PORTCULLIS_AR_LOG` defaults to `<data>/logs/ar-scripts.log`. */
  env: NodeJS.ProcessEnv;
  log?: ArLogger;
  publish?: (row: BlockRow) => void;
  audit?: (entry: AuditInput) => void;
  now?: () => number;
  scriptTimeoutMs?: number;
  /** Starts a script and collects its outcome (default: in this thread; the server uses a thread of its own). */
  spawn?: (job: SpawnJob) => Promise<RunOutcome>;
  /** How often the firewall is reconciled with the database, ms; 0 = never. Default 5 minutes. */
  reconcileMs?: number;
}

export class ActiveResponse {
  readonly deps: ArDeps;
  readonly service: BlocksService;
  readonly manual: ManualBlocks;
  readonly queries: BlocksQueries;
  readonly #arLog: ArLog;
  readonly #reconcileMs: number;
  readonly #listeners = new Set<(row: BlockRow) => void>();
  #reconcileTimer: NodeJS.Timeout | null = null;
  #reconciling: Promise<ReconcileReport> | null = null;

  constructor(o: ActiveResponseOptions) {
    const log = o.log ?? quietLogger;
    this.#arLog = new ArLog(join(o.dataDir, 'logs', 'active-responses.log'));
    const env = { ...o.env, PORTCULLIS_AR_LOG: o.env.PORTCULLIS_AR_LOG ?? join(o.dataDir, 'logs', 'ar-scripts.log') };
    const publish = o.publish ?? (() => undefined);
    const hosts = new HostsRepository(o.db);
    this.deps = {
      db: o.db,
      blocks: new BlocksRepository(o.db),
      runs: new ArRunsRepository(o.db),
      deliveries: new BlockDeliveriesRepository(o.db),
      activeHosts: () => hosts.active().map((h) => ({ id: h.id, name: h.name })),
      runner: new ScriptRunner({
        dir: o.arDir, env, ...(o.scriptTimeoutMs !== undefined ? { timeoutMs: o.scriptTimeoutMs } : {}), ...(o.spawn ? { spawn: o.spawn } : {}),
      }),
      arLog: this.#arLog,
      policy: o.policy,
      protection: new Protection({
        enabled: o.adminProtection,
        ...(o.adminAddresses ? { adminAddresses: o.adminAddresses } : {}),
        ...(o.hostAddresses ? { hostAddresses: o.hostAddresses } : {}),
        ...(o.now ? { now: o.now } : {}),
      }),
      now: o.now ?? Date.now,
      hostname: hostname().split('.')[0] || 'localhost',
      log,
      publish: (row) => {
        try {
          publish(row);
          for (const l of this.#listeners) l(row);
        } catch (err) {
          log.error({ err, block: row.id }, 'publishing a block change failed');
        }
      },
      audit: o.audit ?? (() => undefined),
    };
    this.service = new BlocksService(this.deps);
    this.manual = new ManualBlocks(this.deps, this.service);
    this.queries = new BlocksQueries(this.deps);
    this.#reconcileMs = o.reconcileMs ?? 5 * 60_000;
  }

  /** Called after the commit of every change of a block, like `publish` (the bouncer API listens). */
  onChange(listener: (row: BlockRow) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resumes interrupted work, arms the timer and starts reconciliation: once now (after a reboot
   * the firewall is empty while blocks are active), then periodically.
   */
  start(): void {
    this.service.resume();
    if (this.#reconcileMs > 0) {
      this.reconcile().catch((err: unknown) => this.deps.log.error({ err }, 'reconciliation failed'));
      this.#reconcileTimer = setInterval(() => {
        this.reconcile().catch((err: unknown) => this.deps.log.error({ err }, 'reconciliation failed'));
      }, this.#reconcileMs);
      this.#reconcileTimer.unref();
    }
  }

  /** One reconciliation pass (one at a time; a call during a pass waits for it). */
  reconcile(): Promise<ReconcileReport> {
    this.#reconciling ??= reconcile(this.deps, this.service.executor)
      .then((r) => {
        if (r.drift > 0) this.deps.log.warn({ ...r }, `reconciliation: ${r.drift} block(s) differed from the firewall, ${r.fixed} fixed`);
        return r;
      })
      .finally(() => {
        this.#reconciling = null;
      });
    return this.#reconciling;
  }

  /** Stops the timers and waits for running scripts (their results are stored) before the database closes. */
  async stop(): Promise<void> {
    if (this.#reconcileTimer) clearInterval(this.#reconcileTimer);
    this.service.stop();
    await this.service.idle();
    await this.#arLog.close();
  }
}
