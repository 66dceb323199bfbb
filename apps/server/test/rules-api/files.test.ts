// Whole-file edits (design decisions 2 and 4): a file with an XML error is refused with every error
// (file, line, column) and nothing changes while detection goes on; a valid edit is written and
// applied without a restart, kept as a revision, and can be rolled back.
import type { RulesetFile, RulesetFileContent, RulesetFileSaved, RulesetRevision, RulesetValidation } from '@portcullis/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { SSHD_RULES, makeWorld, sshFailures, type RulesWorld } from './helpers.js';

describe('rule and decoder files', () => {
  let w: RulesWorld;
  afterEach(async () => w.close());

  const file = async (path = SSHD_RULES) => (await w.app.inject({ method: 'GET', url: `/api/ruleset/file?path=${encodeURIComponent(path)}`, headers: w.viewer.headers })).json() as RulesetFileContent;
  const save = (body: object) => w.app.inject({ method: 'PUT', url: '/api/ruleset/file', headers: w.admin.headers, payload: body });
  const revisions = async (path = SSHD_RULES) => ((await w.app.inject({ method: 'GET', url: `/api/ruleset/revisions?path=${encodeURIComponent(path)}`, headers: w.viewer.headers })).json() as { items: RulesetRevision[] }).items;

  it('lists the files of the running ruleset, relative to the home, and reads one with its hash', async () => {
    w = await makeWorld();
    const files = ((await w.app.inject({ method: 'GET', url: '/api/ruleset/files', headers: w.viewer.headers })).json() as { items: RulesetFile[] }).items;
    expect(files.find((f) => f.path === SSHD_RULES)).toMatchObject({ kind: 'rules', editable: true, revisions: 0 });
    expect(files.find((f) => f.path === 'rules/decoders/0300-sshd.xml')).toMatchObject({ kind: 'decoders' });
    const f = await file();
    expect(f.content).toBe(w.home.read(SSHD_RULES));
    expect(f.hash).toMatch(/^[0-9a-f]{64}$/);
    // Only files of the ruleset: not the config, not a path outside it.
    for (const p of ['etc/portcullis.conf', '../../etc/passwd', '/etc/passwd']) {
      expect((await w.app.inject({ method: 'GET', url: `/api/ruleset/file?path=${encodeURIComponent(p)}`, headers: w.viewer.headers })).statusCode).toBe(404);
    }
  });

  it('refuses a file with an XML error with line and column, changes nothing, and detection goes on', async () => {
    w = await makeWorld();
    const before = await file();
    const broken = `<group name="broken"\n${before.content}`;

    const v = (await w.app.inject({ method: 'POST', url: '/api/ruleset/validate', headers: w.admin.headers, payload: { path: SSHD_RULES, content: broken } })).json() as RulesetValidation;
    expect(v.ok).toBe(false);
    expect(v.errors[0]).toMatchObject({ file: SSHD_RULES, line: 2, column: expect.any(Number) });

    const res = await save({ path: SSHD_RULES, content: broken, base_hash: before.hash, message: 'break it' });
    expect(res.statusCode).toBe(422);
    const body = res.json() as RulesetValidation;
    expect(body.ok).toBe(false);
    expect(body.errors[0]).toMatchObject({ file: SSHD_RULES, line: 2, column: expect.any(Number), message: expect.any(String) });
    expect(w.home.read(SSHD_RULES)).toBe(before.content);
    expect(await revisions()).toEqual([]);
    expect(w.app.ruleset.status()).toMatchObject({ ok: true, errors: [] });

    await w.ingest(sshFailures('192.0.2.50', 1));
    expect(w.alerts(1)[0]).toMatchObject({ rule_id: 5716, description: expect.stringContaining('failed password for') });

    // A rule that now points at nothing is an error too, named with its own file.
    const dangling = before.content.replace('<if_sid>5700</if_sid>\n    <regex>^Failed password for', '<if_sid>5799</if_sid>\n    <regex>^Failed password for');
    expect(dangling).not.toBe(before.content);
    const v2 = (await w.app.inject({ method: 'POST', url: '/api/ruleset/validate', headers: w.admin.headers, payload: { path: SSHD_RULES, content: dangling } })).json() as RulesetValidation;
    expect(v2.errors.map((e) => e.message).join(' ')).toMatch(/5799/);
  });

  it('applies a valid edit without a restart, keeps revisions, and rolls back', async () => {
    w = await makeWorld();
    const before = await file();
    const changed = before.content.replace('sshd: failed password for', 'sshd: wrong password for');
    const v = (await w.app.inject({ method: 'POST', url: '/api/ruleset/validate', headers: w.admin.headers, payload: { path: SSHD_RULES, content: changed } })).json() as RulesetValidation;
    expect(v).toMatchObject({ ok: true, errors: [], rules: w.app.ruleset.status().rules });

    // Saving over a version that is not the one opened: 409, nothing written.
    expect((await save({ path: SSHD_RULES, content: changed, base_hash: '0'.repeat(64), message: 'x' })).statusCode).toBe(409);

    const res = await save({ path: SSHD_RULES, content: changed, base_hash: before.hash, message: 'Say "wrong password"' });
    expect(res.statusCode).toBe(200);
    const saved = res.json() as RulesetFileSaved;
    expect(saved.revision).toMatchObject({ path: SSHD_RULES, message: 'Say "wrong password"', current: true, author: expect.stringMatching(/^admin/) });
    expect(saved.status.ok).toBe(true);
    expect(w.home.read(SSHD_RULES)).toBe(changed);
    await w.ingest(sshFailures('192.0.2.51', 1));
    expect(w.alerts(1)[0]!.description).toContain('wrong password for');

    const revs = await revisions();
    expect(revs.map((r) => [r.message, r.current])).toEqual([['Say "wrong password"', true], ['as found before the first edit', false]]);
    const original = revs[1]!;
    const content = (await w.app.inject({ method: 'GET', url: `/api/ruleset/revisions/${original.id}`, headers: w.viewer.headers })).json() as { content: string };
    expect(content.content).toBe(before.content);

    const rb = await w.app.inject({ method: 'POST', url: `/api/ruleset/revisions/${original.id}/rollback`, headers: w.admin.headers, payload: { message: 'back to the original' } });
    expect(rb.statusCode).toBe(200);
    expect(w.home.read(SSHD_RULES)).toBe(before.content);
    await w.ingest(sshFailures('192.0.2.52', 1));
    expect(w.alerts(1)[0]!.description).toContain('failed password for');
    expect((await revisions()).map((r) => [r.message, r.current])).toEqual([['back to the original', true], ['Say "wrong password"', false], ['as found before the first edit', false]]);
    const files = ((await w.app.inject({ method: 'GET', url: '/api/ruleset/files', headers: w.viewer.headers })).json() as { items: RulesetFile[] }).items;
    expect(files.find((f) => f.path === SSHD_RULES)!.revisions).toBe(3);

    const audit = (await w.app.inject({ method: 'GET', url: '/api/audit?limit=5', headers: w.admin.headers })).json() as { items: Array<{ action: string; target: string; before: { hash: string }; after: { hash: string } }> };
    expect(audit.items.map((a) => a.action).slice(0, 2)).toEqual(['ruleset.file_rollback', 'ruleset.file_save']);
    expect(audit.items[1]).toMatchObject({ target: SSHD_RULES, before: { hash: before.hash }, after: { hash: saved.revision.hash } });
  });

  it('keeps the brute-force count of unchanged rules across a save', async () => {
    w = await makeWorld();
    await w.ingest(sshFailures('203.0.113.30', 3));
    const before = await file('rules/rules/0310-su.xml');
    const res = await save({ path: 'rules/rules/0310-su.xml', content: `${before.content}\n<!-- reviewed -->\n`, base_hash: before.hash, message: 'reviewed' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status.kept_rules).toBeGreaterThan(0);
    await w.ingest(sshFailures('203.0.113.30', 2));
    expect(w.alerts(1)[0]).toMatchObject({ rule_id: 5720 });
  });
});
