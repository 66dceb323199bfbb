// One Portcullis home per test, as an operator would lay it out: etc/portcullis.conf, a copy of the
// shipped rules under rules/, a recording active-response script, a fresh database; the app built
// from it (app.inject) with users of each role.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { shippedRules } from '../../src/paths.js';
import { signIn, type SignedIn } from '../server/helpers.js';

export { signIn, waitFor } from '../server/helpers.js';

export const SSHD_RULES = 'rules/rules/0300-sshd.xml';

const RECORD_SH = `#!/bin/sh
here="$(cd "$(dirname "$0")/.." && pwd)"
echo "$1 $3" >> "$here/ar-calls.log"
exit 0
`;

export interface HomeOptions {
  /** XML replacing the default <command>/<active-response> blocks. */
  responses?: string;
  whiteList?: string[];
}

export const DEFAULT_RESPONSES = `  <command>
    <name>record</name>
    <executable>record.sh</executable>
    <timeout_allowed>yes</timeout_allowed>
  </command>

  <!-- The brute force: drop it for ten minutes. -->
  <active-response>
    <command>record</command>
    <location>local</location>
    <rules_group>portcullis_block,</rules_group>
    <timeout>600</timeout>
  </active-response>
`;

export interface Home {
  dir: string;
  configPath: string;
  read(rel: string): string;
  write(rel: string, text: string): void;
  arCalls(): string[];
  cleanup(): void;
}

export function makeHome(o: HomeOptions = {}): Home {
  const dir = mkdtempSync(path.join(tmpdir(), 'portcullis-rules-'));
  mkdirSync(path.join(dir, 'etc'));
  mkdirSync(path.join(dir, 'active-response'));
  cpSync(path.join(shippedRules, 'decoders'), path.join(dir, 'rules', 'decoders'), { recursive: true });
  cpSync(path.join(shippedRules, 'rules'), path.join(dir, 'rules', 'rules'), { recursive: true });
  writeFileSync(path.join(dir, 'active-response', 'record.sh'), RECORD_SH);
  chmodSync(path.join(dir, 'active-response', 'record.sh'), 0o755);
  const configPath = path.join(dir, 'etc', 'portcullis.conf');
  writeFileSync(configPath, `<ossec_config>
  <global>
${(o.whiteList ?? ['127.0.0.1']).map((w) => `    <white_list>${w}</white_list>`).join('\n')}
  </global>
  <ruleset>
    <decoder_dir>rules/decoders</decoder_dir>
    <rule_dir>rules/rules</rule_dir>
  </ruleset>

${o.responses ?? DEFAULT_RESPONSES}
  <portcullis>
    <dialect>wazuh</dialect>
    <data_dir>data</data_dir>
    <active_response_dir>active-response</active_response_dir>
    <journald>no</journald>
    <watch_ruleset>no</watch_ruleset>
  </portcullis>
</ossec_config>
`);
  return {
    dir,
    configPath,
    read: (rel) => readFileSync(path.join(dir, rel), 'utf8'),
    write: (rel, text) => writeFileSync(path.join(dir, rel), text),
    arCalls: () => {
      const f = path.join(dir, 'ar-calls.log');
      return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface RulesWorld {
  home: Home;
  app: FastifyInstance;
  admin: SignedIn;
  viewer: SignedIn;
  /** Ingests lines now, as the tailer would; returns the alerts made. */
  ingest(lines: string[]): Promise<number>;
  /** Level, rule and description of the newest alerts, newest first. */
  alerts(limit?: number): Array<{ rule_id: number; level: number; description: string; srcip: string | null }>;
  close(): Promise<void>;
}

export async function makeWorld(o: HomeOptions = {}): Promise<RulesWorld> {
  const home = makeHome(o);
  const cfg = resolveServerConfig({ config: home.configPath, listen: '127.0.0.1:0' }, {});
  const app = await buildApp(cfg, { webRoot: path.join(home.dir, 'no-web') });
  await app.ready();
  const admin = await signIn(app, 'admin');
  const viewer = await signIn(app, 'viewer');
  return {
    home,
    app,
    admin,
    viewer,
    ingest: async (lines) => (await app.pipeline.ingest(lines.map((line) => ({ line, location: '/var/log/auth.log', receivedAt: Date.now() })))).alerts,
    alerts: (limit = 10) => app.alerts.list({ limit }).items.map((a) => ({ rule_id: a.rule_id, level: a.level, description: a.description, srcip: a.srcip })),
    close: async () => {
      await app.close();
      home.cleanup();
    },
  };
}

/** sshd failures as a brute force writes them (syslog, stamped now). */
export function sshFailures(ip: string, n: number, user = 'root'): string[] {
  const d = new Date();
  const mon = d.toLocaleString('en-US', { month: 'short' });
  const stamp = `${mon} ${String(d.getDate()).padStart(2, ' ')} ${d.toTimeString().slice(0, 8)}`;
  return Array.from({ length: n }, (_, i) => `${stamp} web01 sshd[${4100 + i}]: Failed password for ${user} from ${ip} port ${50100 + i} ssh2`);
}

/** The five failures and one login of the dashboard's log test example. */
export const EXAMPLE = [
  'Mar  4 10:15:01 web01 sshd[2101]: Failed password for root from 203.0.113.9 port 50122 ssh2',
  'Mar  4 10:15:04 web01 sshd[2101]: Failed password for root from 203.0.113.9 port 50122 ssh2',
  'Mar  4 10:15:08 web01 sshd[2103]: Failed password for invalid user admin from 203.0.113.9 port 50130 ssh2',
  'Mar  4 10:15:11 web01 sshd[2103]: Failed password for invalid user admin from 203.0.113.9 port 50130 ssh2',
  'Mar  4 10:15:15 web01 sshd[2105]: Failed password for root from 203.0.113.9 port 50144 ssh2',
  'Mar  4 10:16:02 web01 sshd[2110]: Accepted publickey for deploy from 198.51.100.20 port 41822 ssh2',
];
