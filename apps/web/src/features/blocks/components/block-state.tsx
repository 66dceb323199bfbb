// A block's state and its enforcement in one badge a responder can read at a glance.
import type { Block } from '@portcullis/shared';
import { Badge } from '@/components/ui/badges';

export function BlockStateBadge({ block }: { block: Block }) {
  const b = block;
  switch (b.state) {
    case 'pending':
      return <Badge tone="info" dot>Pending</Badge>;
    case 'releasing':
      return <Badge tone="info" dot>Releasing</Badge>;
    case 'active':
      if (b.drift) return <Badge tone="warn" dot title="The firewall no longer matches this block">Drift</Badge>;
      if (b.verified === true) return <Badge tone="ok" dot title="The firewall rule was checked and is in place">Enforced</Badge>;
      if (b.verified === false) return <Badge tone="danger" dot title="The firewall rule was not found">Not enforced</Badge>;
      return <Badge tone="ok" dot title="Active; enforcement not verified yet">Active</Badge>;
    case 'failed':
      return <Badge tone="danger" dot title={b.reason ?? undefined}>Failed</Badge>;
    case 'refused':
      return <Badge tone="warn" dot title={b.reason ?? undefined}>Refused</Badge>;
    case 'released':
      return <Badge dot>Released</Badge>;
    case 'expired':
      return <Badge dot>Expired</Badge>;
  }
}

export function OffenseStep({ offense }: { offense: number }) {
  return (
    <span className="num" title={offense === 1 ? 'First offence' : `Offence ${offense}: repeated offender, longer block`}>
      {offense === 1 ? '1st' : offense === 2 ? '2nd' : offense === 3 ? '3rd' : `${offense}th`}
      {offense > 1 && <span className="badge warn" style={{ marginLeft: 6, height: 18 }}>repeat</span>}
    </span>
  );
}
