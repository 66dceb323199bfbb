import type { BlockDelivery, BlockTargets } from '@portcullis/shared';
import { describe, expect, it } from 'vitest';
import { targetsSummary, whereEnforced } from '@/features/blocks/components/targets-summary';

const host = (name: string, over: Partial<BlockDelivery>): BlockDelivery => ({
  name, state: 'delivered', added_at: '2026-03-01T10:00:00.000Z', removed_at: null, stale: false, stale_since: null,
  last_pull_at: '2026-03-01T10:04:00.000Z', revoked: false, ...over,
});

describe("a block's targets line", () => {
  it("writes the stale time in the viewer's local time from stale_since, not the API's UTC summary", () => {
    const t: BlockTargets = {
      server: true,
      summary: 'enforced on 2/3 hosts and the server, web7 stale since 10:03 UTC, web8 never pulled',
      hosts: [
        host('web1', {}),
        host('web7', { stale: true, stale_since: '2026-03-01T10:03:00.000Z', last_pull_at: '2026-03-01T10:01:00.000Z' }),
        host('web8', { state: 'pending', added_at: null, stale: true, last_pull_at: null }),
        host('web9', { revoked: true, stale: true }),
      ],
    };
    const seen: string[] = [];
    const local = (iso: string) => {
      seen.push(iso);
      return new Date(iso).toLocaleTimeString('en-GB', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit' });
    };
    expect(targetsSummary(t, local)).toBe('enforced on 2/3 hosts and the server, web7 stale since 15:33, web8 never pulled');
    expect(seen).toEqual(['2026-03-01T10:03:00.000Z']);
    expect(targetsSummary({ ...t, hosts: t.hosts.map((h) => ({ ...h, state: 'removed' as const, stale: false })) }, local)).toBe('removed from 3/3 hosts and the server');
    expect(targetsSummary({ server: true, hosts: [], summary: '' })).toBe('on the server only');
  });
});

describe('where a block is enforced, in a table cell', () => {
  const targets = (server: boolean, names: string[]): BlockTargets => ({ server, summary: '', hosts: names.map((n) => host(n, {})) });

  it('names the server and the hosts, and counts past three', () => {
    expect(whereEnforced({ targets: targets(true, ['web1', 'web2']) })).toBe('server, web1, web2');
    expect(whereEnforced({ targets: targets(false, ['web2']) })).toBe('web2');
    expect(whereEnforced({ targets: targets(true, []) })).toBe('server');
    expect(whereEnforced({ targets: targets(true, ['web1', 'web2', 'web3', 'web4', 'web5']) })).toBe('server, web1, web2 and 3 more hosts');
    expect(whereEnforced({ targets: targets(false, []) })).toBe('nowhere');
    expect(whereEnforced({})).toBeNull();
  });
});
