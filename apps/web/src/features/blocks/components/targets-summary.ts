// The one line over a block's hosts ("enforced on 48/50 hosts, web7 stale since 10:02"), written
// here from the hosts' states and times so the times are the viewer's local time (the API's own
// summary is in UTC).
import type { Block, BlockTargets } from '@portcullis/shared';
import { formatWhen } from '@/lib/format';

export function targetsSummary(t: BlockTargets, when: (iso: string) => string = formatWhen): string {
  if (t.hosts.length === 0) return t.server ? 'on the server only' : 'no target';
  const open = t.hosts.some((h) => h.state === 'pending' || h.state === 'delivered');
  const counted = t.hosts.filter((h) => !h.revoked);
  const done = counted.filter((h) => (open ? h.state === 'delivered' : h.state === 'removed')).length;
  let line = `${open ? 'enforced on' : 'removed from'} ${done}/${counted.length} hosts${t.server ? ' and the server' : ''}`;
  const notes = counted.filter((h) => h.stale).map((h) => (h.stale_since ? `${h.name} stale since ${when(h.stale_since)}` : h.last_pull_at ? `${h.name} stale` : `${h.name} never pulled`));
  if (notes.length > 0) line += `, ${notes.slice(0, 5).join(', ')}${notes.length > 5 ? ` and ${notes.length - 5} more` : ''}`;
  return line;
}

/**
 * Where a block is enforced, short, for a table cell: "server, web1, web2"; past `max` names,
 * "server, web1, web2 and 5 more hosts". Null when the block came without its targets.
 */
export function whereEnforced(b: Pick<Block, 'targets'>, max = 3): string | null {
  const t = b.targets;
  if (!t) return null;
  const names = [...(t.server ? ['server'] : []), ...t.hosts.map((h) => h.name)];
  if (names.length === 0) return 'nowhere';
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more hosts`;
}
