// The white list kept from the dashboard, merged with the config's by active response: adding an
// address stops the next block at once; removing it lets the next one through.
import type { Block, WhitelistEntry } from '@portcullis/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorld, sshFailures, waitFor, type RulesWorld } from './helpers.js';

describe('white list', () => {
  let w: RulesWorld;
  afterEach(async () => w.close());

  const list = async () => ((await w.app.inject({ method: 'GET', url: '/api/whitelist', headers: w.viewer.headers })).json() as { items: WhitelistEntry[] }).items;
  const blocks = async (ip: string) => ((await w.app.inject({ method: 'GET', url: `/api/blocks?ip=${ip}`, headers: w.viewer.headers })).json() as { items: Block[] }).items;

  it('lists the config entries, the dashboard entries and the built-in protection', async () => {
    w = await makeWorld({ whiteList: ['127.0.0.1', '198.51.100.0/24'] });
    const items = await list();
    expect(items.filter((e) => e.source === 'config').map((e) => e.value)).toEqual(['127.0.0.1', '198.51.100.0/24']);
    expect(items.filter((e) => e.source === 'config').every((e) => e.id === null)).toBe(true);
    const prot = items.filter((e) => e.source === 'protected');
    expect(prot.map((e) => e.value)).toEqual(expect.arrayContaining(['127.0.0.0/8', '::1']));
    expect(prot.every((e) => e.id === null && e.note)).toBe(true);
  });

  it('adds and removes entries; an added network stops the next block, removing it lets the next one through', async () => {
    w = await makeWorld();
    const add = await w.app.inject({ method: 'POST', url: '/api/whitelist', headers: w.admin.headers, payload: { value: '203.0.113.7/24', note: 'partner office' } });
    expect(add.statusCode).toBe(201);
    const entry = add.json() as WhitelistEntry;
    expect(entry).toMatchObject({ value: '203.0.113.0/24', source: 'dashboard', note: 'partner office', created_by: expect.stringMatching(/^admin/) });
    expect((await list()).filter((e) => e.source === 'dashboard')).toHaveLength(1);

    await w.ingest(sshFailures('203.0.113.9', 5));
    await waitFor(async () => (await blocks('203.0.113.9')).length > 0, 5000, 'the refused block');
    expect((await blocks('203.0.113.9'))[0]).toMatchObject({ state: 'refused' });
    expect(w.home.arCalls()).toEqual([]);

    expect((await w.app.inject({ method: 'DELETE', url: `/api/whitelist/${entry.id}`, headers: w.admin.headers })).statusCode).toBe(200);
    expect((await list()).filter((e) => e.source === 'dashboard')).toHaveLength(0);
    await w.ingest(sshFailures('203.0.113.10', 5));
    await waitFor(() => w.home.arCalls().includes('add 203.0.113.10'), 5000, 'the block');
    // The script's outcome comes back from the spawner thread a moment after its call line.
    await waitFor(async () => (await blocks('203.0.113.10'))[0]?.state === 'active', 5000, 'the block active');

    const audit = (await w.app.inject({ method: 'GET', url: '/api/audit?limit=20', headers: w.admin.headers })).json() as { items: Array<{ action: string; target: string }> };
    expect(audit.items.filter((a) => a.action.startsWith('whitelist.')).map((a) => [a.action, a.target])).toEqual([['whitelist.remove', '203.0.113.0/24'], ['whitelist.add', '203.0.113.0/24']]);
  });

  it('refuses what is not an address or network, a duplicate, and an unknown id', async () => {
    w = await makeWorld();
    const post = (value: string) => w.app.inject({ method: 'POST', url: '/api/whitelist', headers: w.admin.headers, payload: { value, note: 'n' } });
    for (const bad of ['example.com', 'any', '!10.0.0.1', '10.0.0.0/33']) {
      const r = await post(bad);
      expect(r.statusCode, bad).toBe(400);
      expect(r.json().error.code).toBe('BAD_ADDRESS');
    }
    expect((await post('2001:db8::1/32')).json()).toMatchObject({ value: '2001:db8::/32' });
    expect((await post('2001:0db8::/32')).statusCode).toBe(409);
    expect((await w.app.inject({ method: 'DELETE', url: '/api/whitelist/999', headers: w.admin.headers })).statusCode).toBe(404);
  });
});
