// The overview's numbers: counts, alerts over time by severity, top sources and rules, health and
// readiness (a red panel while an active response cannot run).
// The range is in the URL; live alerts make it refresh.
import { Link } from 'react-router';
import { useHealthDetails } from '@/lib/health';
import { formatDuration, formatNumber } from '@/lib/format';
import { useUrlParams } from '@/lib/url-state';
import { Badge } from '@/components/ui/badges';
import { Card, PageHeader } from '@/components/ui/card';
import { ErrorState, Loading } from '@/components/ui/states';
import { OVERVIEW_RANGES, useStats, type OverviewRange } from '../api/overview';
import { AlertsChart } from './alerts-chart';
import { ReadinessPanel } from './readiness-panel';
import { TopRules, TopSources } from './top-lists';

export function OverviewStats() {
  const [p, set] = useUrlParams(['range'] as const);
  const range: OverviewRange = p.range && p.range in OVERVIEW_RANGES ? (p.range as OverviewRange) : '24h';
  const stats = useStats(range);
  const health = useHealthDetails({ refetchInterval: 30_000 });
  const s = stats.data;
  const h = health.data;
  return (
    <>
      <PageHeader
        title="Overview"
        description="What Portcullis saw and did, updated live."
        actions={
          <div className="row" role="group" aria-label="Time range">
            {(Object.keys(OVERVIEW_RANGES) as OverviewRange[]).map((r) => (
              <button key={r} type="button" className={`btn sm ${r === range ? 'primary' : ''}`} aria-pressed={r === range} onClick={() => set({ range: r === '24h' ? '' : r }, { replace: true })}>
                {OVERVIEW_RANGES[r].label}
              </button>
            ))}
          </div>
        }
      />
      {h && !h.database.ok && (
        <section className="banner danger" role="alert" data-testid="database-state" style={{ display: 'block', marginBottom: 16, padding: '12px 16px' }}>
          <b>The database cannot be written: new log lines wait and blocks cannot be recorded.</b>
          <p style={{ margin: '4px 0 0' }}>
            {h.database.error ?? 'The database does not answer.'} Free space on the disk holding <span className="mono">{h.database.path}</span>; lines are
            read again once there is room.
          </p>
        </section>
      )}
      {h && <ReadinessPanel readiness={h.readiness} />}
      <div className="grid cols-4" style={{ marginBottom: 16 }}>
        <div className="card stat">
          <div className="label">Alerts, last {OVERVIEW_RANGES[range].label}</div>
          <div className="value" data-testid="stat-alerts">{s ? formatNumber(s.counts.alerts) : '…'}</div>
          <div className="sub">{s ? `${formatNumber(s.counts.stored)} stored in total` : stats.error ? 'unavailable' : ' '}</div>
        </div>
        <div className="card stat accent-danger">
          <div className="label">High severity (level ≥ 10)</div>
          <div className="value">{s ? formatNumber(s.counts.high) : '…'}</div>
          <div className="sub">{s ? <Link to="/alerts?level_min=10">Show them</Link> : ' '}</div>
        </div>
        <div className="card stat">
          <div className="label">Ruleset</div>
          <div className="value">{h ? formatNumber(h.ruleset.rules) : '…'}</div>
          <div className="sub">{h ? (h.ruleset.ok ? `rules, ${formatNumber(h.ruleset.decoders)} decoders` : <span style={{ color: 'var(--danger)' }}>{h.ruleset.last_error ?? 'last reload failed'}</span>) : ' '}</div>
        </div>
        <div className="card stat">
          <div className="label">Health</div>
          <div className="value" style={{ fontSize: 18, marginTop: 6 }}>
            {h ? <Badge tone={h.status === 'ok' ? 'ok' : 'warn'} dot>{h.status === 'ok' ? 'All systems normal' : 'Degraded'}</Badge> : health.error ? <Badge tone="danger" dot>Unreachable</Badge> : '…'}
          </div>
          <div className="sub">{h ? `v${h.version} · up ${formatDuration(h.uptime_seconds)} · ${h.sources.failed}/${h.sources.total} sources failing` : ' '}</div>
        </div>
      </div>
      <Card title="Alerts over time" hint={s ? `by severity, ${formatDuration(s.bucket_seconds)} per bar` : undefined}>
        {stats.isPending ? <Loading rows={6} /> : stats.error && !s ? <ErrorState error={stats.error} onRetry={() => void stats.refetch()} /> : s ? <AlertsChart stats={s} /> : null}
      </Card>
      <div className="grid cols-2" style={{ marginTop: 16 }}>
        <Card title="Top source addresses" flush>
          {stats.isPending ? <Loading rows={5} /> : s ? <TopSources stats={s} /> : <ErrorState error={stats.error} />}
        </Card>
        <Card title="Top rules" flush>
          {stats.isPending ? <Loading rows={5} /> : s ? <TopRules stats={s} /> : <ErrorState error={stats.error} />}
        </Card>
      </div>
    </>
  );
}
