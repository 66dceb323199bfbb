// One active-response world per test: a temp dir with a config (the test's <command>s and
// <active-response>s over a small ruleset), an active-response dir holding the fake script, a fresh
// migrated database, the real pipeline and a clock the test moves.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { AlertsRepository } from '../../src/modules/alerts/alerts.repository.js';
import { ActiveResponse, type ActiveResponseOptions } from '../../src/modules/active-response/active-response.js';
import type { BlockRow } from '../../src/modules/active-response/blocks.repository.js';
import { buildPolicy } from '../../src/modules/active-response/policy.js';
import { migrationsDir } from '../../src/paths.js';
import { PipelineMetrics } from '../../src/pipeline/metrics.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { RulesetManager } from '../../src/pipeline/ruleset-manager.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.join(here, 'fixtures');

export const FAKE_COMMAND = `<command><name>fake</name><executable>fake-ar</executable><timeout_allowed>yes</timeout_allowed></command>`;

export function fakeBinding(extra = '<timeout>600</timeout>'): string {
  return `<active-response><command>fake</command><location>local</location><rules_group>portcullis_block,</rules_group>${extra}</active-response>`;
}

export interface WorldOptions {
  /** XML inside <ossec_config> besides the ruleset: commands, active responses, <global>. */
  config?: string;
  adminProtection?: boolean;
  adminAddresses?: string[];
  hostAddresses?: string[];
  dialect?: 'wazuh' | 'ossec';
  /** Reuse a dir (a restart); default a new temp dir. */
  dir?: string;
  /** The clock at start (ms). */
  startAt?: number;
  extra?: Partial<ActiveResponseOptions>;
}

export interface World {
  dir: string;
  arDir: string;
  /** Where the fake script writes calls and blocked-<ip> files. */
  fakeDir: string;
  dataDir: string;
  db: Db;
  ar: ActiveResponse;
  pipeline: Pipeline;
  clock: { now: number };
  published: BlockRow[];
  admins: string[];
  /** Feeds syslog lines (program testd) through the pipeline at the clock's time. */
  feed(...messages: string[]): void;
  /** The fake script's calls: one array of fields per call (`argv`, `json`, `reply` first). */
  calls(): string[][];
  blocked(ip: string): boolean;
  setExit(code: number): void;
  block(id: number): BlockRow;
  blocks(): BlockRow[];
  /** Moves the clock and fires the timer. */
  advance(ms: number): void;
  settle(): Promise<void>;
  close(): Promise<void>;
  cleanup(): void;
}

export function line(message: string): string {
  return `Nov 28 10:00:00 host1 testd[42]: ${message}`;
}

export function attack(ip: string, user = 'root', file = '/etc/passwd', url = '/login'): string {
  return `attack from ${ip} user ${user} file ${file} url ${url}`;
}

export function makeWorld(o: WorldOptions = {}): World {
  const dir = o.dir ?? mkdtempSync(path.join(tmpdir(), 'portcullis-ar-'));
  const arDir = path.join(dir, 'active-response');
  const fakeDir = path.join(dir, 'fake');
  const dataDir = path.join(dir, 'data');
  mkdirSync(arDir, { recursive: true });
  mkdirSync(fakeDir, { recursive: true });
  if (!existsSync(path.join(arDir, 'fake-ar.sh'))) copyFileSync(path.join(FIXTURES, 'fake-ar.sh'), path.join(arDir, 'fake-ar.sh'));
  const configPath = path.join(dir, 'ossec.conf');
  writeFileSync(configPath, `<ossec_config>
  <ruleset>
    <decoder_include>${FIXTURES}/decoders.xml</decoder_include>
    <rule_include>${FIXTURES}/rules.xml</rule_include>
  </ruleset>
  ${o.config ?? `${FAKE_COMMAND}${fakeBinding()}`}
</ossec_config>
`);
  const db = openDatabase(path.join(dataDir, 'portcullis.db'));
  migrate(db, migrationsDir);
  const quiet = { info: () => undefined, error: () => undefined };
  const ruleset = new RulesetManager({ configPath, dialect: o.dialect }, quiet);
  const pipeline = new Pipeline(db, new AlertsRepository(db), ruleset, new PipelineMetrics(), quiet);
  const policy = buildPolicy(ruleset.context.cfg, ruleset.context.dialect, ruleset.context.ruleset.tree.all);
  const clock = { now: o.startAt ?? Date.UTC(2024, 10, 28, 10, 0, 0) };
  const published: BlockRow[] = [];
  const admins = [...(o.adminAddresses ?? [])];
  const ar = new ActiveResponse({
    db, arDir, dataDir, policy: () => policy,
    adminProtection: o.adminProtection ?? true,
    adminAddresses: () => admins,
    hostAddresses: () => o.hostAddresses ?? ['10.99.0.1', 'fd00:99::1'],
    env: { ...process.env, FAKE_DIR: fakeDir },
    now: () => clock.now,
    publish: (row) => published.push(row),
    reconcileMs: 0,
    scriptTimeoutMs: 10_000,
    ...o.extra,
  });
  pipeline.onPersisted(ar.service.consume);
  ar.start();
  const w: World = {
    dir, arDir, fakeDir, dataDir, db, ar, pipeline, clock, published, admins,
    feed: (...messages) => {
      pipeline.ingest(messages.map((m) => ({ line: line(m), location: '/var/log/test.log', receivedAt: clock.now })));
    },
    calls: () => (existsSync(path.join(fakeDir, 'calls')) ? readFileSync(path.join(fakeDir, 'calls'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')) : []),
    blocked: (ip) => existsSync(path.join(fakeDir, `blocked-${ip}`)),
    setExit: (code) => writeFileSync(path.join(fakeDir, 'exit'), String(code)),
    block: (id) => ar.deps.blocks.get(id)!,
    blocks: () => ar.deps.blocks.list({ limit: 1000 }).reverse(),
    advance: (ms) => {
      clock.now += ms;
      ar.service.timer.fire();
    },
    settle: () => ar.service.idle(),
    close: async () => {
      await ar.stop();
      db.close();
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return w;
}
