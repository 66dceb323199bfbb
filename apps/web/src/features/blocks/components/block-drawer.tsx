// One block in full: its state and enforcement, why it exists and how it ended, and every run
// of its script (argv, exit code, output, duration).
import type { BlockDelivery, BlockDetail, BlockTargets, ScriptRun } from '@portcullis/shared';
import { Link } from 'react-router';
import { formatDateTime } from '@/lib/format';
import { Badge } from '@/components/ui/badges';
import { Countdown } from '@/components/ui/countdown';
import { Drawer } from '@/components/ui/dialog';
import { ErrorState, Loading } from '@/components/ui/states';
import { useBlock } from '../api/blocks';
import { BlockStateBadge, OffenseStep } from './block-state';
import { targetsSummary } from './targets-summary';

export function BlockDrawer({ id, onClose }: { id: number; onClose: () => void }) {
  const q = useBlock(id);
  const b = q.data;
  return (
    <Drawer label="Block details" onClose={onClose} title={b ? <span className="row"><span style={{ fontFamily: 'var(--mono)' }}>{b.ip}</span> <BlockStateBadge block={b} /></span> : `Block ${id}`} subtitle={b ? `Block #${b.id} · ${b.command} · ${formatDateTime(b.created_at)}` : null}>
      {q.isPending ? <Loading /> : q.error || !b ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : <Body b={b} />}
    </Drawer>
  );
}

function Body({ b }: { b: BlockDetail }) {
  const enforcement = b.drift ? 'drift: the firewall no longer matches' : b.verified === true ? 'verified in place' : b.verified === false ? 'not found by the last check' : 'not checked';
  return (
    <>
      <div className="row wrap">
        <Link className="btn sm" to={`/ips/${encodeURIComponent(b.ip)}`}>Timeline of {b.ip}</Link>
        {b.rule_id !== null && <Link className="btn sm" to={`/rules/${b.rule_id}`}>Rule {b.rule_id}</Link>}
        {b.alert_id !== null && <Link className="btn sm" to={`/alerts?alert=${b.alert_id}&srcip=${encodeURIComponent(b.ip)}`}>Alert #{b.alert_id}</Link>}
      </div>
      <section>
        <div className="section-title">Block</div>
        <dl className="kv">
          <dt>State</dt><dd><BlockStateBadge block={b} /></dd>
          <dt>Enforcement</dt><dd>{enforcement}</dd>
          {b.state === 'active' && (<><dt>Time left</dt><dd><Countdown from={b.created_at} until={b.expires_at} /></dd></>)}
          <dt>Offence</dt><dd><OffenseStep offense={b.offense} /></dd>
          <dt>Created</dt><dd className="num">{formatDateTime(b.created_at)}{b.created_by ? ` by ${b.created_by}` : ''}</dd>
          <dt>Expires</dt><dd className="num">{b.expires_at ? formatDateTime(b.expires_at) : 'no timeout'}</dd>
          {b.released_at && (<><dt>Ended</dt><dd className="num">{formatDateTime(b.released_at)}{b.released_by ? ` by ${b.released_by}` : b.state === 'expired' ? ' by the timer' : ''}</dd></>)}
          {(b.block_reason ?? (b.state !== 'released' ? b.reason : null)) && (<><dt>{b.state === 'refused' ? 'Refused because' : b.state === 'failed' ? 'Failure' : 'Reason'}</dt><dd>{b.block_reason ?? b.reason}</dd></>)}
          {b.state === 'released' && (b.release_reason ?? b.reason) && (<><dt>Release reason</dt><dd>{b.release_reason ?? b.reason}</dd></>)}
          {b.grace_until && (<><dt>Grace until</dt><dd className="num">{formatDateTime(b.grace_until)}</dd></>)}
          {b.hits !== undefined && b.hits > 1 && (<><dt>Alerts folded in</dt><dd>{b.hits}</dd></>)}
        </dl>
      </section>
      {b.targets && b.targets.hosts.length > 0 && <Hosts t={b.targets} />}
      <section>
        <div className="section-title">Script runs</div>
        {b.runs.length === 0 ? <p className="muted">No script has run for this block.</p> : (
          <div className="stack" style={{ gap: 10 }}>
            {b.runs.map((r) => <Run key={r.id} r={r} />)}
          </div>
        )}
      </section>
    </>
  );
}

const DELIVERY_TONE: Record<BlockDelivery['state'], 'ok' | 'info' | 'warn' | 'neutral'> = {
  pending: 'warn', delivered: 'ok', 'removal-pending': 'warn', removed: 'neutral',
};

/** Where the block is enforced: the server's script or not, and each host's bouncer. */
function Hosts({ t }: { t: BlockTargets }) {
  return (
    <section>
      <div className="section-title">Hosts</div>
      <p className="small">{targetsSummary(t)}{t.server ? '' : ' (no script on the server)'}</p>
      <table className="table small" aria-label="Delivery per host">
        <thead><tr><th>Host</th><th>Delivery</th><th>Pulled</th><th>Removal pulled</th><th>Bouncer</th></tr></thead>
        <tbody>
          {t.hosts.map((h) => (
            <tr key={h.name}>
              <td><code>{h.name}</code></td>
              <td><Badge tone={DELIVERY_TONE[h.state]}>{h.state}</Badge></td>
              <td className="num">{h.added_at ? formatDateTime(h.added_at) : '—'}</td>
              <td className="num">{h.removed_at ? formatDateTime(h.removed_at) : '—'}</td>
              <td>{h.revoked ? <Badge tone="neutral">revoked</Badge> : h.stale ? <Badge tone="danger" title="No pull for 3× its poll interval">{h.stale_since ? `stale since ${formatDateTime(h.stale_since)}` : h.last_pull_at ? `stale, last pull ${formatDateTime(h.last_pull_at)}` : 'never pulled'}</Badge> : <Badge tone="ok">healthy</Badge>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Run({ r }: { r: ScriptRun }) {
  const ok = r.exit_code === 0;
  const tone = r.running ? 'info' : ok ? 'ok' : 'danger';
  return (
    <div className="phase">
      <h4 className="row">
        <b>{r.action}</b>
        <Badge tone={tone}>{r.running ? 'running' : r.exit_code === null ? (r.error ?? r.signal ?? 'did not start') : `exit ${r.exit_code}`}</Badge>
        {r.timed_out && <Badge tone="danger">timed out</Badge>}
        <span className="grow" />
        <span className="muted num">{formatDateTime(r.started_at)} · {r.duration_ms} ms</span>
      </h4>
      <div style={{ padding: '8px 10px' }} className="stack">
        <code className="small" style={{ wordBreak: 'break-all' }}>{r.executable ?? r.command ?? ''} {r.argv.join(' ')}</code>
        {r.stdout && <pre className="log small">{r.stdout}</pre>}
        {r.stderr && <pre className="log small" style={{ background: '#3f1d1d' }}>{r.stderr}</pre>}
      </div>
    </div>
  );
}
