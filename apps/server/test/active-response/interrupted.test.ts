// A script run cut short by a crash: the server stored the run before starting it and died before
// completing it. At the next start the run is marked `interrupted` (not left "running" with exit
// null for ever), the API says so, and the block is resumed as before (add again, delete finished).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BlockDetail, IpTimeline } from '@portcullis/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { resolveServerConfig } from '../../src/config/server-config.js';
import { openDatabase } from '../../src/db/database.js';
import activeResponse from '../../src/modules/active-response/active-response.plugin.js';
import { ArRunsRepository } from '../../src/modules/active-response/ar-runs.repository.js';
import { BlocksRepository } from '../../src/modules/active-response/blocks.repository.js';
import { signIn, waitFor } from '../server/helpers.js';
import { FAKE_COMMAND, FIXTURES, attack, fakeBinding, line } from './helpers.js';

let dir: string;
let app: FastifyInstance | null = null;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'portcullis-ar-crash-'));
  const arDir = path.join(dir, 'active-response');
  mkdirSync(arDir);
  mkdirSync(path.join(dir, 'fake'));
  copyFileSync(path.join(FIXTURES, 'fake-ar.sh'), path.join(arDir, 'fake-ar.sh'));
  process.env.FAKE_DIR = path.join(dir, 'fake');
  writeFileSync(path.join(dir, 'ossec.conf'), `<ossec_config>
  <ruleset><decoder_include>${FIXTURES}/decoders.xml</decoder_include><rule_include>${FIXTURES}/rules.xml</rule_include></ruleset>
  ${FAKE_COMMAND}${fakeBinding()}
  <portcullis><journald>no</journald><active_response_dir>${arDir}</active_response_dir><watch_ruleset>no</watch_ruleset></portcullis>
</ossec_config>`);
});

afterEach(async () => {
  await app?.close();
  app = null;
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<FastifyInstance> {
  const cfg = resolveServerConfig({ config: path.join(dir, 'ossec.conf'), data: path.join(dir, 'data'), listen: '127.0.0.1:0' }, {});
  const a = await buildApp(cfg, { webRoot: path.join(dir, 'no-web') });
  if (!a.hasPlugin('active-response')) await a.register(activeResponse);
  await a.ready();
  return a;
}

/** Starts the server, has an alert block `ip` (block 1, active), and stops it. */
async function blockAndStop(ip: string): Promise<void> {
  app = await start();
  await app.pipeline.ingest([{ line: line(attack(ip)), location: '/var/log/test.log', receivedAt: Date.now() }]);
  await waitFor(() => app!.activeResponse.deps.blocks.get(1)?.state === 'active');
  await app.close();
  app = null;
}

describe('a script run interrupted by a crash', () => {
  it('is marked interrupted at the next start, shown so by the API, and its block is resumed', async () => {
    await blockAndStop('192.0.2.31');

    // What a crash leaves: the expiry of block 1 had marked it releasing and stored its delete run;
    // block 2's add run was stored; neither run was ever completed.
    const db = openDatabase(path.join(dir, 'data', 'portcullis.db'));
    const blocks = new BlocksRepository(db);
    const runs = new ArRunsRepository(db);
    const t = Date.now();
    blocks.update(1, { state: 'releasing', ending: 'expired' }, t);
    const deleteRun = runs.insertRun({ blockId: 1, action: 'delete', command: 'fake', executable: 'fake-ar.sh', protocol: 'ossec', argv: ['delete', '-', '192.0.2.31'], stdin: null, startedAt: t });
    const pending = blocks.insert({
      ip: '192.0.2.32', command: 'fake', executable: 'fake-ar', protocol: 'ossec', origin: 'alert', state: 'pending', rule_id: 100301,
      alert_id: null, user: null, location: null, filename: null, request: null, ar_index: 0, timeout: 600, offense: 1,
      created_at: t, created_by: 'rule 100301', expires_at: t + 600_000, reason: null,
    });
    const addRun = runs.insertRun({ blockId: pending, action: 'add', command: 'fake', executable: 'fake-ar.sh', protocol: 'ossec', argv: ['add', '-', '192.0.2.32'], stdin: null, startedAt: t });
    db.close();

    app = await start();
    const ar = app.activeResponse.deps;
    await waitFor(() => ar.blocks.get(1)?.state === 'expired' && ar.blocks.get(pending)?.state === 'active');

    const viewer = await signIn(app, 'viewer');
    const detail = async (id: number) => (await app!.inject({ url: `/api/blocks/${id}`, headers: viewer.headers })).json() as BlockDetail;
    const first = await detail(1);
    const cut = first.runs.find((r) => r.id === deleteRun)!;
    expect(cut).toMatchObject({ action: 'delete', exit_code: null, running: false, interrupted: true, error: expect.stringMatching(/interrupted/) });
    // the delete was finished after the restart, by a new run that completed
    expect(first.runs.filter((r) => r.action === 'delete' && r.id !== deleteRun).map((r) => [r.exit_code, r.interrupted])).toEqual([[0, false]]);
    const second = await detail(pending);
    expect(second.runs.map((r) => [r.id === addRun ? 'cut' : 'new', r.action, r.exit_code, r.interrupted])).toEqual([
      ['cut', 'add', null, true], ['new', 'add', 0, false], ['new', 'check', 0, false],
    ]);
    const timeline = (await app.inject({ url: '/api/ips/192.0.2.32', headers: viewer.headers })).json() as IpTimeline;
    expect(timeline.events.filter((e) => /interrupted/.test(e.summary)).map((e) => e.kind)).toEqual(['script', 'script']);

    // Marked once: a later restart does not mark or log it again.
    await app.close();
    app = await start();
    expect(app.activeResponse.deps.runs.eventsOfBlocks([pending]).filter((e) => e.kind === 'interrupted')).toHaveLength(1);
  });
});

describe('alerts committed but not decided on before a crash', () => {
  it('are decided at the next start when recent, left alone when old, and never decided twice', async () => {
    await blockAndStop('192.0.2.40');

    // What a crash between the ingest thread's commit and the event loop's decision leaves: alerts
    // stored that active response never saw. One from just now, one from 11 minutes ago.
    const db = openDatabase(path.join(dir, 'data', 'portcullis.db'));
    const copy = db.prepare(`INSERT INTO alerts (time, event_time, rule_id, level, description, groups, decoder, srcip, user, hostname, program_name, location, full_log, fields, host)
      SELECT @time, event_time, rule_id, level, description, groups, decoder, @ip, user, hostname, program_name, location, replace(full_log, '192.0.2.40', @ip), json_set(fields, '$.srcip', @ip), host FROM alerts WHERE id = 1`);
    copy.run({ time: Date.now(), ip: '192.0.2.41' });
    copy.run({ time: Date.now() - 11 * 60_000, ip: '192.0.2.42' });
    db.close();

    const blocks = (a: FastifyInstance): Array<{ ip: string; state: string; alert_id: number }> =>
      a.db.prepare('SELECT ip, state, alert_id FROM blocks ORDER BY id').all() as Array<{ ip: string; state: string; alert_id: number }>;
    app = await start();
    await waitFor(() => blocks(app!).some((b) => b.ip === '192.0.2.41' && b.state === 'active'));
    expect(blocks(app).map((b) => b.ip)).toEqual(['192.0.2.40', '192.0.2.41']);
    expect(blocks(app)[1]!.alert_id).toBe(2);
    await app.close();

    app = await start();
    expect(blocks(app).map((b) => b.ip)).toEqual(['192.0.2.40', '192.0.2.41']);
  });
});
