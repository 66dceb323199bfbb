// Everything known about one address: its current block, its blocks (with where each is enforced),
// and a timeline of alerts (with the host that sent them), blocks, releases and script runs, newest first.
import { useState } from 'react';
import { Link } from 'react-router';
import { useCan } from '@/lib/authorization';
import { formatDateTime, formatNumber } from '@/lib/format';
import { LevelBadge } from '@/components/ui/badges';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { Countdown } from '@/components/ui/countdown';
import { IconLock, IconUnlock } from '@/components/ui/icons';
import { Empty, ErrorState, Loading } from '@/components/ui/states';
import { Time } from '@/components/ui/time';
import { useIpTimeline } from '../api/blocks';
import { BlockStateBadge, OffenseStep } from './block-state';
import { WhereCell } from './blocks-tables';
import { ManualBlockDialog } from './manual-block-dialog';
import { ReleaseDialog } from './release-dialog';

const KIND_LABEL = { alert: 'Alert', block: 'Blocked', release: 'Released', expire: 'Expired', refuse: 'Refused', fail: 'Failed', script: 'Script' } as const;

export function IpTimelineView({ ip }: { ip: string }) {
  const q = useIpTimeline(ip);
  const canWrite = useCan('blocks:write');
  const [dialog, setDialog] = useState<'block' | 'release' | null>(null);
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const t = q.data;
  const cur = t.current;
  return (
    <div className="stack">
      <div className="grid cols-4">
        <div className="card stat">
          <div className="label">Status</div>
          <div className="value" style={{ fontSize: 18, marginTop: 6 }}>
            {cur ? <BlockStateBadge block={cur} /> : t.whitelisted ? <span className="badge ok">White-listed</span> : <span className="badge">Not blocked</span>}
          </div>
          <div className="sub">{t.whitelisted ? `Covered by ${t.whitelisted}` : cur ? `${cur.command}, rule ${cur.rule_id ?? 'manual'}` : 'No open block'}</div>
        </div>
        <div className="card stat">
          <div className="label">Block ends in</div>
          <div className="value" style={{ fontSize: 18, marginTop: 6 }}>{cur?.state === 'active' ? <Countdown from={cur.created_at} until={cur.expires_at} /> : '—'}</div>
          <div className="sub">{cur ? <>Offence <OffenseStep offense={cur.offense} /></> : `${t.blocks.length} blocks in total`}</div>
        </div>
        <div className="card stat">
          <div className="label">Alerts</div>
          <div className="value">{formatNumber(t.alert_count)}</div>
          <div className="sub"><Link to={`/alerts?srcip=${encodeURIComponent(ip)}`}>Show them</Link></div>
        </div>
        <div className="card stat">
          <div className="label">Seen</div>
          <div className="value" style={{ fontSize: 14, marginTop: 6 }}>{formatDateTime(t.last_seen)}</div>
          <div className="sub">first {formatDateTime(t.first_seen)}</div>
        </div>
      </div>
      {canWrite && (
        <div className="row">
          {cur && (cur.state === 'active' || cur.state === 'pending') ? (
            <Button variant="danger" icon={<IconUnlock />} onClick={() => setDialog('release')}>
              Release {ip}
            </Button>
          ) : (
            !t.whitelisted && (
              <Button icon={<IconLock />} onClick={() => setDialog('block')}>
                Block {ip}
              </Button>
            )
          )}
        </div>
      )}
      <div className="grid main-side">
        <Card title="Timeline" hint="newest first">
          {t.events.length === 0 ? (
            <Empty title="Nothing recorded">No alert or block for this address is stored.</Empty>
          ) : (
            <ol className="timeline" aria-label={`Timeline of ${ip}`}>
              {t.events.map((e, i) => (
                <li key={`${e.time}-${i}`} data-kind={e.kind}>
                  <div className="row wrap">
                    <b>{KIND_LABEL[e.kind]}</b>
                    {e.level !== null && e.level !== undefined && <LevelBadge level={e.level} />}
                    <span className="when"><Time iso={e.time} /></span>
                    {e.actor && <span className="muted small">by {e.actor}</span>}
                    {e.host && <Link to={`/alerts?host=${encodeURIComponent(e.host)}&srcip=${encodeURIComponent(ip)}`} className="badge" data-testid="event-host" title={`Sent by host ${e.host}`}>{e.host}</Link>}
                  </div>
                  <div>
                    {e.summary}
                    {e.alert_id ? <> · <Link to={`/alerts?alert=${e.alert_id}&srcip=${encodeURIComponent(ip)}`}>alert #{e.alert_id}</Link></> : null}
                    {e.rule_id ? <> · <Link to={`/rules/${e.rule_id}`}>rule {e.rule_id}</Link></> : null}
                  </div>
                  {e.detail && <div className="mono small muted ellipsis" style={{ maxWidth: 640 }} title={e.detail}>{e.detail}</div>}
                </li>
              ))}
            </ol>
          )}
        </Card>
        <Card title="Blocks" flush>
          {t.blocks.length === 0 ? (
            <Empty title="Never blocked" />
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Outcome</th>
                  <th>Rule</th>
                  <th>Where</th>
                </tr>
              </thead>
              <tbody>
                {t.blocks.map((b) => (
                  <tr key={b.id}>
                    <td><Time iso={b.created_at} /></td>
                    <td>
                      <BlockStateBadge block={b} />
                      {b.released_by && <div className="muted small">by {b.released_by}</div>}
                    </td>
                    <td>{b.rule_id ?? <span className="muted">manual</span>}</td>
                    <td><WhereCell b={b} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
      {dialog === 'release' && cur && <ReleaseDialog block={cur} onClose={() => setDialog(null)} />}
      {dialog === 'block' && <ManualBlockDialog initialIp={ip} onClose={() => setDialog(null)} />}
    </div>
  );
}
