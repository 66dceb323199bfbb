// A block's targets as the API shows them: each host's `stale_since` as an ISO time (its last pull
// + 3× its poll interval, as the Hosts page counts), so the dashboard shows it in the viewer's
// local time; the one-line summary says its times are UTC.
import { describe, expect, it } from 'vitest';
import type { DeliveryView } from '../../src/modules/active-response/block-deliveries.repository.js';
import { blockTargets } from '../../src/modules/active-response/block-targets.js';
import type { BlockRow } from '../../src/modules/active-response/blocks.repository.js';

const t0 = Date.parse('2026-03-01T10:00:00.000Z');
const delivery = (name: string, over: Partial<DeliveryView>): DeliveryView => ({
  block_id: 1, host_id: 1, added_at: t0, removed_at: null, name, revoked_at: null, last_pull_at: t0, poll_interval_ms: 1000, ...over,
} as DeliveryView);

describe('block targets', () => {
  it('carries since when each bouncer is stale as an ISO time, and the summary names UTC', () => {
    const row = { id: 1, state: 'active', server_script: 0 } as BlockRow;
    const now = t0 + 5 * 60_000;
    const t = blockTargets(row, [
      delivery('web1', { last_pull_at: now - 500 }),
      delivery('web7', { last_pull_at: t0 + 60_000, poll_interval_ms: 40_000 }),
      delivery('web8', { last_pull_at: null, added_at: null }),
      delivery('web9', { revoked_at: t0 }),
    ], now);
    expect(t.hosts.map((h) => [h.name, h.stale, h.stale_since])).toEqual([
      ['web1', false, null],
      ['web7', true, '2026-03-01T10:03:00.000Z'], // last pull 10:01 + 3 × 40 s
      ['web8', true, null],
      ['web9', true, null],
    ]);
    expect(t.summary).toBe('enforced on 2/3 hosts, web7 stale since 10:03 UTC, web8 never pulled');
  });
});
