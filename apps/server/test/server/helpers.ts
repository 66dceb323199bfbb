// Builds a server for one test: its own temp dir, config, database and log files.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Role } from '@portcullis/shared';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { resolveServerConfig, type ServerConfig } from '../../src/config/server-config.js';

export { waitFor, sleep } from '../sources/helpers.js';

export const FIXTURE_RULESET = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ruleset');

export interface TestEnv {
  dir: string;
  configPath: string;
  dataDir: string;
  cleanup(): void;
}

export interface EnvOptions {
  /** `<localfile>` locations (relative to the temp dir). */
  files?: string[];
  /** Extra elements inside <portcullis>. */
  portcullis?: string;
  /** Copy the fixture ruleset into the temp dir (to edit it) instead of pointing at it. */
  copyRuleset?: boolean;
}

export function makeEnv(options: EnvOptions = {}): TestEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-server-'));
  let ruleset = FIXTURE_RULESET;
  if (options.copyRuleset) {
    ruleset = path.join(dir, 'ruleset');
    cpSync(FIXTURE_RULESET, ruleset, { recursive: true });
  }
  const files = (options.files ?? []).map((f) => `  <localfile><log_format>syslog</log_format><location>${f}</location></localfile>`).join('\n');
  const configPath = path.join(dir, 'portcullis.conf');
  writeFileSync(configPath, `<ossec_config>
  <ruleset>
    <decoder_dir>${ruleset}/decoders</decoder_dir>
    <rule_dir>${ruleset}/rules</rule_dir>
  </ruleset>
${files}
  <portcullis>
    <journald>no</journald>
    <live_interval_ms>50</live_interval_ms>
${options.portcullis ?? ''}
  </portcullis>
</ossec_config>
`);
  return { dir, configPath, dataDir: path.join(dir, 'data'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testConfig(env: TestEnv, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return { ...resolveServerConfig({ config: env.configPath, data: env.dataDir, listen: '127.0.0.1:0' }, {}), ...overrides };
}

export async function makeApp(env: TestEnv, overrides: Partial<ServerConfig> = {}): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(env, overrides), { webRoot: path.join(env.dir, 'no-web') });
  await app.ready();
  return app;
}

export interface SignedIn {
  cookie: string;
  csrf: string;
  headers: Record<string, string>;
}

let users = 0;

/** Creates a user with `role` and signs it in through the API. */
export async function signIn(app: FastifyInstance, role: Role): Promise<SignedIn> {
  const username = `${role}${++users}`;
  const password = 'a-long-password-1';
  await app.accounts.createUser({ name: 'test', ip: null }, { username, password, role });
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`sign in failed: ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'portcullis_session')!;
  const csrf = (res.json() as { csrf_token: string }).csrf_token;
  const header = `portcullis_session=${cookie.value}`;
  return { cookie: header, csrf, headers: { cookie: header, 'x-csrf-token': csrf } };
}

/** An API token of `scope`, made directly. */
export function token(app: FastifyInstance, scope: 'ingest' | Role): string {
  return app.accounts.createToken({ name: 'test', ip: null }, `t-${scope}`, scope).token;
}

export function syslogLine(message: string, program = 'testapp', date = new Date()): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${months[date.getMonth()]} ${String(date.getDate()).padStart(2, ' ')} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} host1 ${program}[42]: ${message}`;
}

/** Sequence numbers of the testapp alerts in the database, in id order. */
export function storedSeqs(app: FastifyInstance): number[] {
  return (app.db.prepare("SELECT json_extract(fields, '$.id') FROM alerts WHERE rule_id IN (100200, 100201) ORDER BY id").pluck().all() as string[]).map(Number);
}
