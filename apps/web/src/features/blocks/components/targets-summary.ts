// The one line over a block's hosts ("enforced on 48/50 hosts, web7 stale since 10:02"), written
// here from the hosts' states and times so the times are the viewer's local time (the API's own
// summary is in UTC).
import type { BlockTargets } from '@portcullis/shared';
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
