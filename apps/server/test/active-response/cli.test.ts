// `portcullis block` and `portcullis release`: through the running server's admin socket, and
// directly on the database and scripts when no server runs (break-glass).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { blockCommand } from '../../src/cli/block.js';
import { releaseCommand } from '../../src/cli/release.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { openDatabase } from '../../src/db/database.js';
import activeResponse from '../../src/modules/active-response/active-response.plugin.js';
import { FAKE_COMMAND, FIXTURES, fakeBinding } from './helpers.js';

let dir: string;
let configPath: string;
let dataDir: string;
let out: string[];
let app: FastifyInstance | null = null;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'portcullis-ar-cli-'));
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

function rows(): { ip: string; state: string; created_by: string; released_by: string | null }[] {
  const db = openDatabase(path.join(dataDir, 'portcullis.db'));
  try {
    return db.prepare('SELECT ip, state, created_by, released_by FROM blocks ORDER BY id').all() as never;
  } finally {
    db.close();
  }
}

describe('break-glass CLI', () => {
  it('works on the database and the scripts when no server runs', async () => {
    expect(await blockCommand(['203.0.113.60', '--timeout', '120', '--reason', 'locked out', ...common()])).toBe(0);
    expect(out.join('\n')).toMatch(/no server is running; acting on the database directly/);
    expect(out.join('\n')).toMatch(/blocked block 1: 203\.0\.113\.60 with fake, active until .*, verified in place/);
    expect(await releaseCommand(['203.0.113.60', '--reason', 'let in', ...common()])).toBe(0);
    const me = `cli:${userInfo().username}`;
    expect(rows()).toEqual([{ ip: '203.0.113.60', state: 'released', created_by: me, released_by: me }]);
    expect(await releaseCommand(['203.0.113.60', '--reason', 'again', ...common()])).toBe(1);
    expect(out.at(-1)).toMatch(/no open block for 203\.0\.113\.60/);
  });

  it("goes through the running server's admin socket", async () => {
    const cfg = resolveServerConfig({ config: configPath, data: dataDir, listen: '127.0.0.1:0' }, {});
    app = await buildApp(cfg, { webRoot: path.join(dir, 'no-web') });
    if (!app.hasPlugin('active-response')) await app.register(activeResponse);
    await app.ready();
    const seen: string[] = [];
    app.activeResponse.deps.publish = (row) => seen.push(`${row.ip}:${row.state}`);
    expect(await blockCommand(['203.0.113.61', '--reason', 'x', '--json', ...common()])).toBe(0);
    expect(seen).toContain('203.0.113.61:active'); // the server did it
    expect(await releaseCommand(['203.0.113.61', '--reason', 'y', ...common()])).toBe(0);
    expect(rows().map((r) => r.state)).toEqual(['released']);
  });

  it('refuses usage errors and a protected address', async () => {
    await expect(releaseCommand(['203.0.113.62', ...common()])).rejects.toThrow(/--reason is required/);
    await expect(blockCommand(['203.0.113.62', '--timeout', 'soon', ...common()])).rejects.toThrow(/--timeout must be whole seconds/);
    expect(await blockCommand(['::1', '--reason', 'x', ...common()])).toBe(1);
    expect(out.at(-1)).toMatch(/refused: protected: loopback address/);
  });
});
