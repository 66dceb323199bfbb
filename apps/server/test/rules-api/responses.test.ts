// Commands and active responses from the dashboard: shown as XML and data with the rules each
// response binds to; edits validated with line and column; a valid save rewrites only those blocks
// of the config, keeps a revision and applies at once; an invalid one changes nothing.
import type { Block, ResponseConfig, ResponseValidation } from '@portcullis/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorld, sshFailures, waitFor, type RulesWorld } from './helpers.js';

describe('commands and active responses', () => {
  let w: RulesWorld;
  afterEach(async () => w.close());

  const get = async () => (await w.app.inject({ method: 'GET', url: '/api/responses', headers: w.viewer.headers })).json() as ResponseConfig;
  const validate = async (xml: string) => (await w.app.inject({ method: 'POST', url: '/api/responses/validate', headers: w.admin.headers, payload: { xml } })).json() as ResponseValidation;

  it('shows the blocks as XML and as data, with the scripts and the rules each response binds to', async () => {
    w = await makeWorld();
    const cfg = await get();
    expect(cfg.xml).toContain('<name>record</name>');
    expect(cfg.xml).toContain('<!-- The brute force: drop it for ten minutes. -->');
    expect(cfg.xml).not.toContain('<portcullis>');
    expect(cfg.commands).toEqual([{ name: 'record', executable: 'record.sh', expect: [], timeout_allowed: true, protocol: 'argv', script: 'record.sh' }]);
    expect(cfg.active_responses).toHaveLength(1);
    expect(cfg.active_responses[0]).toMatchObject({ index: 0, command: 'record', location: 'local', rules_group: 'portcullis_block,', timeout: 600, disabled: false });
    expect(cfg.active_responses[0]!.bound_rules.map((r) => r.id)).toEqual(expect.arrayContaining([5712, 5720]));
    expect(cfg.scripts).toEqual(['record.sh']);
  });

  it('finds an unknown command, a timeout the command does not allow, a missing script and bad XML, each with its line', async () => {
    w = await makeWorld();
    const unknown = await validate(`<command>
  <name>record</name>
  <executable>record.sh</executable>
</command>
<active-response>
  <command>nope</command>
  <location>local</location>
  <level>10</level>
  <timeout>60</timeout>
</active-response>
<active-response>
  <command>record</command>
  <location>local</location>
  <level>10</level>
  <timeout>60</timeout>
</active-response>
<command>
  <name>gone</name>
  <executable>not-there</executable>
</command>`);
    expect(unknown.ok).toBe(false);
    expect(unknown.issues.map((i) => [i.code, i.line])).toEqual([['SCRIPT_MISSING', 19], ['UNKNOWN_COMMAND', 6], ['TIMEOUT_NOT_ALLOWED', 15]]);
    expect(unknown.issues.every((i) => i.column !== null && i.message.length > 0)).toBe(true);

    const xml = await validate('<command>\n  <name>x</name>\n  <executable>record.sh\n</command>');
    expect(xml.issues).toEqual([expect.objectContaining({ code: 'XML', line: expect.any(Number), column: expect.any(Number) })]);
    const foreign = await validate('<localfile><location>/tmp/x</location></localfile>');
    expect(foreign.issues[0]).toMatchObject({ code: 'INVALID', line: 1 });
    const path = await validate('<command><name>x</name><executable>../../bin/sh</executable></command>');
    expect(path.issues[0]).toMatchObject({ code: 'INVALID', line: 1 });

    const good = await validate((await get()).xml.replace('<timeout>600</timeout>', '<timeout>900</timeout>'));
    expect(good).toMatchObject({ ok: true, issues: [] });
    expect(good.active_responses[0]).toMatchObject({ timeout: 900 });
  });

  it('saves a valid change into the config, keeps a revision, and the next block uses it', async () => {
    w = await makeWorld();
    const before = await get();
    const config = w.home.read('etc/portcullis.conf');
    const xml = before.xml.replace('<timeout>600</timeout>', '<timeout>900</timeout>');

    expect((await w.app.inject({ method: 'PUT', url: '/api/responses', headers: w.admin.headers, payload: { xml, base_hash: 'x', message: 'longer' } })).statusCode).toBe(409);
    const bad = await w.app.inject({ method: 'PUT', url: '/api/responses', headers: w.admin.headers, payload: { xml: xml.replace('<command>record</command>', '<command>nope</command>'), base_hash: before.hash, message: 'broken' } });
    expect(bad.statusCode).toBe(422);
    expect((bad.json() as ResponseValidation).issues[0]).toMatchObject({ code: 'UNKNOWN_COMMAND' });
    expect(w.home.read('etc/portcullis.conf')).toBe(config);

    const res = await w.app.inject({ method: 'PUT', url: '/api/responses', headers: w.admin.headers, payload: { xml, base_hash: before.hash, message: 'longer blocks' } });
    expect(res.statusCode).toBe(200);
    const after = res.json() as ResponseConfig;
    expect(after.active_responses[0]).toMatchObject({ timeout: 900 });
    expect(after.hash).not.toBe(before.hash);
    // Only the blocks changed: the rest of the config is as it was.
    expect(w.home.read('etc/portcullis.conf')).toBe(config.replace('<timeout>600</timeout>', '<timeout>900</timeout>'));

    const revs = (await w.app.inject({ method: 'GET', url: '/api/ruleset/revisions?path=etc/portcullis.conf', headers: w.viewer.headers })).json() as { items: Array<{ message: string; current: boolean }> };
    expect(revs.items.map((r) => [r.message, r.current])).toEqual([['longer blocks', true], ['as found before the first edit', false]]);

    await w.ingest(sshFailures('203.0.113.40', 5));
    await waitFor(() => w.home.arCalls().includes('add 203.0.113.40'), 5000, 'the block');
    // The script has run; its outcome is stored a moment later (it comes back from the spawner thread).
    const block = await waitFor(async () => {
      const items = ((await w.app.inject({ method: 'GET', url: '/api/blocks?ip=203.0.113.40', headers: w.viewer.headers })).json() as { items: Block[] }).items;
      return items[0]?.state === 'active' ? items[0] : null;
    }, 5000, 'the block active');
    expect(block).toMatchObject({ state: 'active', timeout: 900 });

    const audit = (await w.app.inject({ method: 'GET', url: '/api/audit?action=responses.save', headers: w.admin.headers })).json() as { items: Array<{ before: { xml: string }; after: { xml: string } }> };
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]!.before.xml).toContain('<timeout>600</timeout>');
    expect(audit.items[0]!.after.xml).toContain('<timeout>900</timeout>');
  });
});
