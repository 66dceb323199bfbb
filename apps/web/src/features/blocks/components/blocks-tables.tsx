// Active blocks (with their countdown) and the history (who released what and why), each with
// where it is enforced (the server, hosts' bouncers).
import type { Block, BlockState } from '@portcullis/shared';
import { useState } from 'react';
import { Link } from 'react-router';
import { useCan } from '@/lib/authorization';
import { formatDuration } from '@/lib/format';
import { useLiveStatus } from '@/lib/socket';
import { Button } from '@/components/ui/button';
import { Countdown } from '@/components/ui/countdown';
import { IconUnlock } from '@/components/ui/icons';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { Time } from '@/components/ui/time';
import { CLOSED_STATES, OPEN_STATES, useBlocks, type BlockFilters } from '../api/blocks';
import { BlockStateBadge, OffenseStep } from './block-state';
import { ReleaseDialog } from './release-dialog';
import { targetsSummary, whereEnforced } from './targets-summary';

function RuleCell({ b }: { b: Block }) {
  return b.rule_id === null ? <span className="muted">manual</span> : <Link to={`/rules/${b.rule_id}`} className="mono">{b.rule_id}</Link>;
}

/** Where the block is enforced, short ("server, web1, web2"); the whole delivery line on hover. */
export function WhereCell({ b }: { b: Block }) {
  const where = whereEnforced(b);
  if (where === null || !b.targets) return <span className="muted">—</span>;
  return <span className="small" data-testid="block-where" title={targetsSummary(b.targets)}>{where}</span>;
}

function Pager({ q }: { q: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown } }) {
  if (!q.hasNextPage) return null;
  return (
    <div style={{ padding: 12, textAlign: 'center' }}>
      <Button size="sm" busy={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>
        Load more
      </Button>
    </div>
  );
}

export function ActiveBlocksTable({ filters, compact = false, onOpen }: { filters: BlockFilters; compact?: boolean; onOpen?: (id: number) => void }) {
  // Live events keep the list current; while the feed is down, poll so countdowns and expiries still show.
  const live = useLiveStatus();
  const q = useBlocks(OPEN_STATES, filters, { refetchInterval: live === 'connected' ? 15_000 : 2_000 });
  const canRelease = useCan('blocks:write');
  const [releasing, setReleasing] = useState<Block | null>(null);
  if (q.isPending) return <Loading rows={4} />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const items = q.data.pages.flatMap((p) => p.items);
  if (items.length === 0)
    return <Empty title="No active blocks">{Object.keys(filters).length ? 'No open block matches these filters.' : 'No address is blocked right now. Blocks appear here the moment a response fires.'}</Empty>;
  return (
    <>
      <div className="table-wrap">
        <table className="table" aria-label="Active blocks">
          <thead>
            <tr>
              <th>Address</th>
              <th>State</th>
              <th>Time left</th>
              {!compact && <th>Command</th>}
              {!compact && <th>Where</th>}
              <th>Rule</th>
              {!compact && <th>Offence</th>}
              <th>Since</th>
              {(canRelease || onOpen) && <th><span className="visually-hidden">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {items.map((b) => (
              <tr key={b.id} data-testid="block-row" data-ip={b.ip} data-state={b.state}>
                <td>
                  <Link to={`/ips/${encodeURIComponent(b.ip)}`} className="mono">{b.ip}</Link>
                  {b.reason && b.rule_id === null && <div className="muted small ellipsis" style={{ maxWidth: 220 }} title={b.reason}>{b.reason}</div>}
                </td>
                <td><BlockStateBadge block={b} /></td>
                <td>{b.state === 'active' ? <Countdown from={b.created_at} until={b.expires_at} label={`Block of ${b.ip} ends in`} /> : <span className="muted">—</span>}</td>
                {!compact && <td className="mono">{b.command}</td>}
                {!compact && <td><WhereCell b={b} /></td>}
                <td><RuleCell b={b} /></td>
                {!compact && <td><OffenseStep offense={b.offense} /></td>}
                <td><Time iso={b.created_at} /></td>
                {(canRelease || onOpen) && (
                  <td className="actions">
                    <div className="row" style={{ justifyContent: 'flex-end' }}>
                      {onOpen && <Button size="sm" variant="ghost" onClick={() => onOpen(b.id)} aria-label={`Details of the block of ${b.ip}`}>Details</Button>}
                      {canRelease && (
                        <Button size="sm" icon={<IconUnlock />} disabled={b.state !== 'active' && b.state !== 'pending'} onClick={() => setReleasing(b)} aria-label={`Release ${b.ip}`}>
                          Release
                        </Button>
                      )}
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager q={q} />
      {releasing && <ReleaseDialog block={releasing} onClose={() => setReleasing(null)} />}
    </>
  );
}

const ENDED: Partial<Record<BlockState, string>> = { released: 'Released', expired: 'Expired', failed: 'Failed', refused: 'Refused' };

export function BlockHistoryTable({ filters, onOpen }: { filters: BlockFilters; onOpen?: (id: number) => void }) {
  const q = useBlocks(CLOSED_STATES, filters);
  if (q.isPending) return <Loading rows={6} />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const items = q.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty title="No history yet">Blocks that were released, expired, failed or refused are listed here.</Empty>;
  return (
    <>
      <div className="table-wrap">
        <table className="table" aria-label="Block history">
          <thead>
            <tr>
              <th>Address</th>
              <th>Outcome</th>
              <th>Rule</th>
              <th>Command</th>
              <th>Where</th>
              <th>Blocked</th>
              <th>Lasted</th>
              <th>By</th>
              <th>Reason</th>
              {onOpen && <th><span className="visually-hidden">Details</span></th>}
            </tr>
          </thead>
          <tbody>
            {items.map((b) => {
              const end = b.released_at ? new Date(b.released_at).getTime() : null;
              const lasted = end ? (end - new Date(b.created_at).getTime()) / 1000 : null;
              return (
                <tr key={b.id} data-testid="history-row" data-ip={b.ip} data-state={b.state}>
                  <td><Link to={`/ips/${encodeURIComponent(b.ip)}`} className="mono">{b.ip}</Link></td>
                  <td><BlockStateBadge block={b} /></td>
                  <td><RuleCell b={b} /></td>
                  <td className="mono">{b.command}</td>
                  <td><WhereCell b={b} /></td>
                  <td><Time iso={b.created_at} /></td>
                  <td className="num">{lasted !== null && b.state !== 'refused' ? formatDuration(lasted) : '—'}</td>
                  <td>{b.released_by ?? <span className="muted">{b.state === 'expired' ? 'timer' : '—'}</span>}</td>
                  <td style={{ maxWidth: 280 }}>
                    <span className="ellipsis" style={{ display: 'block' }} title={b.release_reason ?? b.reason ?? ''}>
                      {b.release_reason ?? b.reason ?? <span className="muted">{ENDED[b.state] === 'Expired' ? 'timeout reached' : '—'}</span>}
                    </span>
                    {b.block_reason && b.block_reason !== (b.release_reason ?? b.reason) && <span className="muted small ellipsis" style={{ display: 'block' }} title={b.block_reason}>blocked: {b.block_reason}</span>}
                  </td>
                  {onOpen && <td className="actions"><Button size="sm" variant="ghost" onClick={() => onOpen(b.id)} aria-label={`Details of the block of ${b.ip}`}>Details</Button></td>}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pager q={q} />
    </>
  );
}
