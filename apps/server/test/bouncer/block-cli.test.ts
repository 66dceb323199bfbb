// `portcullis block --on`: through the running server's admin socket and directly on the database
// (no server), the block goes to the named hosts' bouncers or to every host and the server.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { blockCommand } from '../../src/cli/block.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { HostsRepository } from '../../src/modules/hosts/hosts.repository.js';
import { migrationsDir } from '../../src/paths.js';
import { FAKE_COMMAND, FIXTURES, fakeBinding } from '../active-response/helpers.js';

let dir: string;
let configPath: string;
let dataDir: string;
let out: string[];
let app: FastifyInstance | null = null;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'portcullis-block-on-'));
  const arDir = path.join(dir, 'active-response');
  mkdirSync(arDir);
  mkdirSync(path.join(dir, 'fake'));
  copyFileSync(path.join(FIXTURES, 'fake-ar.sh'), path.join(arDir, 'fake-ar.sh'));
  process.env.FAKE_DIR = path.join(dir, 'fake');
  configPath = path.join(dir, 'ossec.conf');
  dataDir = path.join(dir, 'data');
  writeFileSync(configPath, `<ossec_config>
  <ruleset><decoder_include>${FIXTURES}/decoders.xml</decoder_include><rule_include>${FIXTURES}/rules.xml</rule_include></ruleset>
  ${FAKE_COMMAND}${fakeBinding()}
  <portcullis><journald>no</journald><active_response_dir>${arDir}</active_response_dir><watch_ruleset>no</watch_ruleset></portcullis>
</ossec_config>`);
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await app?.close();
  app = null;
  rmSync(dir, { recursive: true, force: true });
});

const common = (): string[] => ['--config', configPath, '--data', dataDir];

function where(ip: string): { server_script: number; hosts: string } {
  const db = openDatabase(path.join(dataDir, 'portcullis.db'));
  try {
    return db.prepare(`SELECT b.server_script, ifnull(group_concat(h.name, ','), '') AS hosts FROM blocks b
      LEFT JOIN block_deliveries d ON d.block_id = b.id LEFT JOIN hosts h ON h.id = d.host_id WHERE b.ip = ? GROUP BY b.id`).get(ip) as never;
  } finally {
    db.close();
  }
}

describe('portcullis block --on', () => {
  it('directly on the database: --on all reaches every host and the server, --on a name only that host; an unknown name is an error', async () => {
    const db = openDatabase(path.join(dataDir, 'portcullis.db'));
    migrate(db, migrationsDir);
    const hosts = new HostsRepository(db);
    hosts.create('web1', 'test');
    hosts.create('web2', 'test');
    db.close();
    expect(await blockCommand(['203.0.113.70', '--on', 'all', '--reason', 'x', ...common()])).toBe(0);
    expect(where('203.0.113.70')).toEqual({ server_script: 1, hosts: 'web1,web2' });
    expect(await blockCommand(['203.0.113.71', '--on', 'web2', '--reason', 'x', ...common()])).toBe(0);
    expect(out.join('\n')).toContain('enforced by the bouncers of web2 (on their next pull), no script on the server');
    expect(where('203.0.113.71')).toEqual({ server_script: 0, hosts: 'web2' });
    expect(await blockCommand(['203.0.113.72', '--on', 'web9', '--reason', 'x', ...common()])).toBe(1);
    expect(out.at(-1)).toBe('portcullis: no active host named "web9"');
  });

  it("through the running server's admin socket", async () => {
    const cfg = resolveServerConfig({ config: configPath, data: dataDir, listen: '127.0.0.1:0' }, {});
    app = await buildApp(cfg, { webRoot: path.join(dir, 'no-web') });
    await app.ready();
    app.hosts.create('web1', 'test');
    expect(await blockCommand(['203.0.113.73', '--on', 'web1', '--reason', 'x', ...common()])).toBe(0);
    expect(out.join('\n')).not.toContain('acting on the database directly');
    expect(out).toContain('enforced by the bouncers of web1 (on their next pull), no script on the server');
    expect(where('203.0.113.73')).toEqual({ server_script: 0, hosts: 'web1' });
  });
});
