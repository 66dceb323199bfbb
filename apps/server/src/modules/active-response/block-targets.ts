// Where a block is enforced, as the API shows it: the server's script or not, each target host's
// delivery state, staleness of its bouncer, and one line that sums it up
// ("enforced on 48/50 hosts, web7 stale since 10:02 UTC"). Each host carries `stale_since` (ISO):
// the dashboard writes the line itself in the viewer's local time.
import type { BlockTargets } from '@portcullis/shared';
import type { DeliveryView } from './block-deliveries.repository.js';
import type { BlockRow } from './blocks.repository.js';

/** A bouncer is stale when it has not pulled for this many of its poll intervals. */
export const STALE_INTERVALS = 3;
/** The poll interval assumed before two pulls were measured (the firewall bouncer's default). */
const DEFAULT_POLL_MS = 10_000;

const OPEN = new Set(['pending', 'active', 'releasing']);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const hhmm = (ms: number): string => `${new Date(ms).toISOString().slice(11, 16)} UTC`;

/** When a pulling bouncer is due at the latest: after that it is stale. */
function staleAt(d: Pick<DeliveryView, 'last_pull_at' | 'poll_interval_ms'>): number | null {
  return d.last_pull_at === null ? null : d.last_pull_at + STALE_INTERVALS * Math.max(1000, d.poll_interval_ms ?? DEFAULT_POLL_MS);
}

export function isStale(d: Pick<DeliveryView, 'last_pull_at' | 'poll_interval_ms' | 'revoked_at'>, now: number): boolean {
  if (d.revoked_at !== null || d.last_pull_at === null) return true;
  return now > staleAt(d)!;
}

export function blockTargets(row: BlockRow, deliveries: readonly DeliveryView[], now: number): BlockTargets {
  const open = OPEN.has(row.state);
  const hosts = deliveries.map((d) => {
    const state = open
      ? d.added_at === null ? 'pending' as const : 'delivered' as const
      : d.removed_at !== null || d.added_at === null ? 'removed' as const : 'removal-pending' as const;
    const stale = isStale(d, now);
    return {
      name: d.name, state, added_at: iso(d.added_at), removed_at: iso(d.removed_at), stale,
      stale_since: stale && d.revoked_at === null ? iso(staleAt(d)) : null,
      last_pull_at: iso(d.last_pull_at), revoked: d.revoked_at !== null,
    };
  });
  const counted = hosts.filter((h) => !h.revoked);
  const done = counted.filter((h) => (open ? h.state === 'delivered' : h.state === 'removed')).length;
  const notes = deliveries.filter((d) => d.revoked_at === null && isStale(d, now))
    .map((d) => (d.last_pull_at === null ? `${d.name} never pulled` : `${d.name} stale since ${hhmm(staleAt(d)!)}`));
  const server = row.server_script === 1;
  let summary: string;
  if (deliveries.length === 0) summary = server ? 'on the server only' : 'no target';
  else summary = `${open ? 'enforced on' : 'removed from'} ${done}/${counted.length} hosts${server ? ' and the server' : ''}`;
  if (notes.length > 0) summary += `, ${notes.slice(0, 5).join(', ')}${notes.length > 5 ? ` and ${notes.length - 5} more` : ''}`;
  return { server, hosts, summary };
}
